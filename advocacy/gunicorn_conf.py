"""gunicorn settings for production: `gunicorn -c python:advocacy.gunicorn_conf wsgi:app`.

Every value comes from the environment (README, Configuration and Deployment):
  WEB_CONCURRENCY   worker processes (default 2 x cores + 1)
  BIND              address to listen on, e.g. `0.0.0.0:8000` or `unix:/run/advocacy.sock`;
                    else `0.0.0.0:$PORT` when PORT is set (platforms that assign one), else 127.0.0.1:8000
  GUNICORN_THREADS  threads per worker (default 16, gthread: a cheap cached page is answered while
                    other threads of the worker sign; 1 gives the sync worker). A worker queues
                    requests for its threads first come, first served, so with fewer threads than
                    the connections it holds a cached page waits behind signatures. At most
                    SIGNING_SLOTS (4) of the threads sign or confirm at once, so the rest stay free
                    for pages; threads waiting for a slot hold no database connection. The
                    database pool is sized for what runs at once (DATABASE_POOL_SIZE, 10, and 5
                    more for a moment), not per thread: 5 workers on 2 cores stay within
                    PostgreSQL's default 100 connections
  GUNICORN_REUSE_PORT  1 (the default on Linux for TCP addresses): each worker listens on a socket
                    of its own (SO_REUSEPORT) and the kernel spreads new connections over them;
                    0: one socket shared by all workers (always so for a Unix socket, whose path
                    each worker would otherwise take over in turn, and for a socket systemd
                    hands over)
  GUNICORN_TIMEOUT  seconds a request may run before its worker is killed and replaced (default 30)
  GUNICORN_ACCESS_LOG  `-` for stdout or a file; off by default (REQUEST_LOG_JSON is the app's own)

The app is not preloaded: each worker builds it after the fork, so no database connection, Redis
client or SMTP socket is ever shared between processes. Sync workers should sit behind a buffering
reverse proxy or load balancer (slow clients would otherwise hold a worker each).
"""
import multiprocessing
import os
import sys


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _spreads_connections(addresses: list[str]) -> bool:
    """SO_REUSEPORT for TCP addresses on Linux, unless GUNICORN_REUSE_PORT=0.

    With one shared socket, the worker that happens to be waiting when a burst of connections arrives
    takes most of them, and keep-alive connections (a load balancer's, a proxy's) stay with the
    worker that took them for as long as they live: one Python process, at most one core, while
    the others idle (measured on the sign form: the busiest of three workers did 0.57 to 0.70 of
    the work in four signing loads of five). With a socket per worker the kernel hashes each connection to
    one of them. The price: a connection still queued on a worker that dies is reset, not taken by
    a sibling (a browser or load balancer tries again)."""
    wanted = os.environ.get("GUNICORN_REUSE_PORT", "1").strip().lower() not in ("0", "false", "no", "off")
    tcp = all(not address.startswith(("unix:", "fd://")) for address in addresses)
    # A socket systemd opened (socket activation) is the one to use: gunicorn would ignore it and
    # bind the address again, which that socket already holds.
    handed_over = bool(os.environ.get("LISTEN_FDS"))
    return wanted and tcp and not handed_over and sys.platform.startswith("linux")


if os.environ.get("BIND"):
    bind = [os.environ["BIND"]]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

reuse_port = _spreads_connections(bind)
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 16)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Limits on the request line and headers (gunicorn's defaults, spelled out).
limit_request_line = 4094
limit_request_fields = 100
# Heartbeat files in memory, not on a possibly slow or full disk (containers), as gunicorn's docs
# advise. They hold only a timestamp, never data, so a shared directory is no exposure.
SHARED_MEMORY = "/dev/shm"  # nosec B108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY


def post_worker_init(worker):
    """Each worker loads the USPS ZIP data (the `zipcodes` package, about 0.3 s of CPU) before it
    takes requests, rather than during its first signature. Then everything loaded so far (the app,
    its libraries, the ZIP data: about 170,000 objects that live as long as the worker) leaves the
    garbage collector's view: a full collection over them paused every thread of the worker for
    about 80 ms, now and then, in the middle of a surge."""
    import gc

    from advocacy.geography.service import usps_lookup

    usps_lookup("20500")
    gc.freeze()
