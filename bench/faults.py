"""Faults during a signing surge (`make bench-faults`): does anything a supporter was told get lost?

gunicorn (3 workers) + PostgreSQL + the mail worker relaying to a local aiosmtpd SMTP server. Python
threads sign through the real form (GET the page, POST with its CSRF token) for LOAD_SECONDS, while:
  t =  5 s  kill -9 one gunicorn worker (the master starts a new one)
  t = 10 s  restart the mail worker (SIGTERM, as a deploy does; it finishes its batch; a new one starts)
  t = 15 s  stop the SMTP server for 20 s (mail fails and is retried with backoff)
Then waits for the outbox to drain and checks:
  - every sign POST answered 303 has its signature stored
  - every stored signature's confirmation mail reached the SMTP server once (or more, if a retry
    re-sent it; never zero), counted per address at the server
  - confirming every one through the link in the mail gives as many 303s (on to the confirmed page) as confirmed rows, and the
    campaign JSON says the same
  - no 500 at all; connection errors only around the killed gunicorn worker
Prints a table and writes bench/results/faults-<timestamp>.json.

    BENCH_FAULTS_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_faults python -m bench.faults
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller

from bench.formclient import CONFIRM_RE, ROOT, AppServer, FormClient, app_env, free_port, signer_fields
from bench.http import RESULTS, SLUG, prepare

URL = os.environ.get("BENCH_FAULTS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_faults")
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("FAULTS_THREADS", "8"))
LOAD_SECONDS = float(os.environ.get("FAULTS_LOAD_SECONDS", "40"))
SMTP_OUTAGE_SECONDS = 20
DRAIN_SECONDS = 120  # retries after the outage come 24-36 s after each failure
KILL_WEB_AT, RESTART_MAIL_AT, STOP_SMTP_AT = 5, 10, 15


class Inbox:
    """Counts what the SMTP server accepted, per recipient, and keeps each mail's confirm link."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = Counter()
        self.links = {}

    async def handle_DATA(self, server, session, envelope):
        body = message_from_bytes(envelope.content, policy=policy.default).get_body(("plain",)).get_content()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.count[rcpt] += 1
                if match := CONFIRM_RE.search(body):
                    self.links.setdefault(rcpt, match.group(0))
        return "250 OK"


class SmtpServer:
    def __init__(self, inbox):
        self.inbox, self.port, self.controller = inbox, free_port(), None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


class MailWorker:
    def __init__(self, env, log_path):
        self.env, self.log = env, open(log_path, "ab")  # noqa: SIM115
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "advocacy", "worker", "--poll", "0.5"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main():
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    logs = Path(f"/tmp/bench-faults-{stamp}")
    logs.mkdir()
    campaign_id = prepare(URL)
    inbox = Inbox()
    smtp = SmtpServer(inbox)
    smtp.start()
    env = app_env(URL, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TIMEOUT=5,
                  REDIS_URL=os.environ.get("BENCH_REDIS_URL"))
    mail = MailWorker(env, logs / "mail-worker.log")
    server = AppServer(env, workers=WORKERS, log_path=logs / "gunicorn.log")
    events, answers = [], []  # answers: (t, email, status or exception name)
    lock = threading.Lock()
    try:
        server.wait_ready()
        mail.start()
        base = server.base_url
        t0 = time.monotonic()

        def event(what):
            events.append({"t": round(time.monotonic() - t0, 2), "event": what})
            print(f"  {events[-1]['t']:6.1f} s  {what}")

        def signer(k):
            n = 0
            while time.monotonic() - t0 < LOAD_SECONDS:
                n += 1
                email = f"f-{k}-{n}@example.org"
                try:
                    status = FormClient(timeout=20).submit(f"{base}/campaigns/{SLUG}", f"{base}/campaigns/{SLUG}/sign",
                                                           signer_fields(email)).status
                except Exception as exc:  # a reset connection from the killed worker
                    status = type(exc).__name__
                with lock:
                    answers.append((round(time.monotonic() - t0, 2), email, status))

        event(f"signing load starts: {THREADS} threads, {LOAD_SECONDS:.0f} s")
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(signer, k) for k in range(THREADS)]
            time.sleep(KILL_WEB_AT)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            event(f"kill -9 gunicorn worker {victim}")
            time.sleep(RESTART_MAIL_AT - KILL_WEB_AT)
            mail.stop()
            event("mail worker stopped (SIGTERM)")
            mail.start()
            event("mail worker started again")
            time.sleep(max(0.0, STOP_SMTP_AT - (time.monotonic() - t0)))
            smtp.stop()
            event("SMTP server stopped")
            time.sleep(SMTP_OUTAGE_SECONDS)
            smtp.start()
            event("SMTP server started again")
            for f in futures:
                f.result()
        event(f"signing load ends: {len(answers)} sign attempts")

        deadline = time.monotonic() + DRAIN_SECONDS
        with psycopg.connect(URL, autocommit=True) as conn:
            while time.monotonic() < deadline:
                queued = conn.execute("SELECT (SELECT count(*) FROM outbox_messages WHERE status = 'queued')"
                                      " + (SELECT count(*) FROM confirmations_due)").fetchone()[0]
                if queued == 0:
                    break
                time.sleep(1)
            event(f"outbox drained ({queued} still queued)")
            stored = {e for (e,) in conn.execute(
                "SELECT email FROM signatures WHERE campaign_id = %s", (campaign_id,)).fetchall()}
            outbox = dict(conn.execute("SELECT status, count(*) FROM outbox_messages GROUP BY status").fetchall())
            retried = conn.execute("SELECT count(*) FROM outbox_messages WHERE attempts > 1").fetchone()[0]

        answered = {email for _, email, status in answers if status == 303}
        with inbox.lock:
            per_address = {email: inbox.count.get(email, 0) for email in stored}
            links = {email: inbox.links.get(email) for email in stored}

        def confirm(email):
            path = links[email]
            if not path:
                return "no link"
            try:
                return FormClient(timeout=30).submit(base + path, base + path, {}).status
            except Exception as exc:
                return type(exc).__name__

        with ThreadPoolExecutor(THREADS) as pool:
            confirmations = Counter(pool.map(confirm, sorted(stored)))
        event(f"confirmed through the mailed links: {dict(confirmations)}")
        with psycopg.connect(URL) as conn:
            confirmed_rows = conn.execute("SELECT count(*) FROM signatures WHERE campaign_id = %s"
                                          " AND status = 'confirmed'", (campaign_id,)).fetchone()[0]
        json_count = json.loads(FormClient().request(f"{base}/campaigns/{SLUG}.json").body)["signature_count"]
    finally:
        mail.stop()
        server.stop()
        smtp.stop()

    statuses = Counter(str(s) for _, _, s in answers)
    errors_at = defaultdict(list)
    for t, _, status in answers:
        if not isinstance(status, int):
            errors_at[status].append(t)
    kill_t = next(e["t"] for e in events if e["event"].startswith("kill -9"))
    mails = Counter(per_address.values())
    checks = {
        "sign attempts": len(answers),
        "answered 303": len(answered),
        "answered 303 and stored": len(answered & stored),
        "stored, not answered (in flight at a fault)": len(stored - answered),
        "answers 500": statuses.get("500", 0),
        "connection errors": sum(len(v) for v in errors_at.values()),
        "connection errors > 3 s from the kill": sum(1 for v in errors_at.values() for t in v if abs(t - kill_t) > 3),
        "stored signatures": len(stored),
        "mail delivered once": mails.get(1, 0),
        "mail delivered more than once (retry)": sum(v for k, v in mails.items() if k > 1),
        "mail never delivered": mails.get(0, 0),
        "outbox messages retried": retried,
        "confirm answers 303": confirmations.get(303, 0),
        "confirmed rows": confirmed_rows,
        "campaign JSON count": json_count,
    }
    verdicts = {
        "every answered signature stored": answered <= stored,
        "every mail delivered at least once": mails.get(0, 0) == 0 and outbox.get("dead", 0) == 0,
        "confirmations = stored = confirmed rows = JSON":
            confirmations.get(303, 0) == len(stored) == confirmed_rows == json_count,
        "no 500": statuses.get("500", 0) == 0,
        "connection errors only at the kill": checks["connection errors > 3 s from the kill"] == 0,
    }
    result = {"when": stamp, "workers": WORKERS, "threads": THREADS, "load_seconds": LOAD_SECONDS, "events": events,
              "statuses": dict(statuses), "errors_at": dict(errors_at), "outbox": outbox, "checks": checks,
              "verdicts": verdicts, "logs": str(logs)}
    path = RESULTS / f"faults-{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    width = max(map(len, [*checks, *verdicts]))
    print(f"\nFaults during a signing load (gunicorn x{WORKERS}, {THREADS} signing threads, PostgreSQL, aiosmtpd)")
    for key, value in checks.items():
        print(f"  {key:{width}s}  {value}")
    print(f"  sign answers by status: {dict(statuses)}")
    for key, ok in verdicts.items():
        print(f"  {key:{width}s}  {'PASS' if ok else 'FAIL'}")
    print(f"  written to {path} (server and worker logs in {logs})")
    return all(verdicts.values())


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
