"""Instructions per sign request, counted by Valgrind (callgrind), against baseline A counted the same
way (`make bench`, after bench/http.py; `python -m bench.instructions` alone).

Why: bench/http.py measures what a signer gets (throughput and latency through gunicorn), but on a
shared machine the same code measures up to a fifth faster or slower from one minute to the next,
so a change worth a few per cent of the app's CPU cannot be seen in it. An instruction count is the
same run after run (within about 1%). It covers only the app's own process: the sign request
called in-process as gunicorn calls it (the real app, the real form, PostgreSQL over a real
connection), not gunicorn, PostgreSQL's work or the mail worker; the HTTP benchmark stays the
headline, and this says where the app's part of it went.

Each side runs in a child process under `valgrind --tool=callgrind --instr-atstart=no`: it builds
its app, answers WARM requests, then counts REQUESTS more (instrumentation switched on and off by
`callgrind_control` around them, so start-up is not counted):
  sign      POST /campaigns/<slug>/sign, plainly valid forms with new emails, each a 303
  A insert  POST /insert of bench/baseline_app.py (one row inserted with psycopg), each a 303
Request logging is off on both sides. Results: bench/results/instructions-<timestamp>.json.

    BENCH_INSTRUCTIONS_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_instructions \\
        python -m bench.instructions
The database is dropped and rebuilt with the migrations (bench/http.py's `prepare`). Needs valgrind
(`make bench-deps` installs it on Debian).
"""
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

URL = os.environ.get("BENCH_INSTRUCTIONS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_instructions")
REQUESTS = int(os.environ.get("BENCH_INSTRUCTIONS_REQUESTS", "200"))
WARM = 50
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")


def _answer(app, environ) -> tuple[str, bytes]:
    """The status line and body of one request, called as gunicorn calls the app."""
    status = {}

    def start_response(line, headers, exc_info=None):
        status["line"] = line

    body = b"".join(app(environ, start_response))
    return status["line"], body


def _sign_environs(count: int, tag: str) -> tuple[object, list[dict]]:
    """The real app (its settings in this process's environment, from `main`) and `count` sign
    posts, each as a browser sends it after reading the page."""
    from werkzeug.test import EnvironBuilder

    from advocacy import create_app

    app = create_app()
    base, slug = "http://127.0.0.1:8000", os.environ["BENCH_SLUG"]
    line, body = _answer(app, EnvironBuilder(path=f"/campaigns/{slug}", base_url=base).get_environ())
    assert line.startswith("200"), line
    started = re.search(rb'name="started"[^>]*value="([^"]*)"', body)[1].decode()
    return app, [EnvironBuilder(
        path=f"/campaigns/{slug}/sign", method="POST", base_url=base,
        headers={"Origin": base, "Sec-Fetch-Site": "same-origin", "X-Forwarded-For": f"10.{i % 200}.{i // 200 % 250}.1",
                 "Content-Type": "application/x-www-form-urlencoded"},
        data=f"given_name=Bench&family_name=Signer&postal_code=60614&comment=&email=i-{tag}-{i}%40example.org"
             f"&website=&source=&started={started}").get_environ() for i in range(count)]


def _insert_environs(count: int, tag: str) -> tuple[object, list[dict]]:
    from werkzeug.test import EnvironBuilder

    from bench.baseline_app import app

    return app, [EnvironBuilder(path="/insert", method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"},
                                data=f"email=i-{tag}-{i}%40example.org").get_environ() for i in range(count)]


def child(side: str) -> None:
    """Runs under callgrind: warm up, then count REQUESTS answers."""
    tag = f"{side[0]}{time.time_ns()}"
    app, environs = (_sign_environs if side == "sign" else _insert_environs)(WARM + REQUESTS, tag)
    logging.disable(logging.CRITICAL)  # no request log on either side
    for environ in environs[:WARM]:
        assert _answer(app, environ)[0].startswith("303"), side
    subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    statuses = [_answer(app, environ)[0] for environ in environs[WARM:]]
    subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)
    assert all(line.startswith("303") for line in statuses), f"{side}: not every answer was a 303"


def count(side: str, out_dir: Path, env: dict) -> float:
    """Instructions per request on one side, from a child process under callgrind."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out_dir}/{side}.%p",
         sys.executable, "-m", "bench.instructions", "--child", side],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    found = COLLECTED.search(run.stderr)
    if run.returncode or not found:
        raise RuntimeError(f"{side}: callgrind run failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return int(found[1].replace(",", "")) / REQUESTS


def _commit() -> str:
    """The commit measured, "+changes" when the work tree differs from it."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def main() -> int:
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("valgrind not installed (make bench-deps): instruction counts skipped")
        return 0
    from bench.formclient import app_env
    from bench.http import SLUG, SOFT_LIMIT, prepare

    prepare(URL)
    # The app's settings as bench/http.py gives its servers (its settings are read when it is imported).
    env = app_env(URL, PROXY_FIX_X_FOR="1", SIGN_SOFT_LIMIT_PER_IP=SOFT_LIMIT, BASELINE_DATABASE_URL=URL,
                  BENCH_SLUG=SLUG)
    out_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-instructions-{os.getpid()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        sign, baseline = count("sign", out_dir, env), count("insert", out_dir, env)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    result = {"when": datetime.now().isoformat(timespec="seconds"), "commit": _commit(), "requests_counted": REQUESTS,
              "instructions_per_request": {"sign": round(sign), "A insert": round(baseline)},
              "sign_over_A": round(sign / baseline, 2)}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"instructions-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"Instructions per request (callgrind, in-process): sign {sign:,.0f}, A insert {baseline:,.0f} "
          f"({sign / baseline:.2f} x A) -> {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        sys.exit(main())
