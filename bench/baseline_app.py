"""The baselines of bench/http.py, served by the same gunicorn settings as the real app.

  A  POST /insert  Flask + psycopg: one INSERT of the posted email, committed (one connection per
                   worker thread, opened on first use), answered with a 303 like the sign form
  B  GET  /hello   Flask returning a constant

Both write the same REQUEST_LOG_JSON line per request as the real app, so the two pay the same
logging cost and bench/http.py can plot them alike.
"""
import json
import logging
import os
import threading
import time

import psycopg
from flask import Flask, g, redirect, request

app = Flask(__name__)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("advocacy.request")
_local = threading.local()


def connection():
    """One connection per worker thread (gunicorn's gthread worker runs several), opened on first use."""
    conn = getattr(_local, "connection", None)
    if conn is None or conn.closed:
        conn = _local.connection = psycopg.connect(os.environ["BASELINE_DATABASE_URL"], autocommit=True)
    return conn


@app.before_request
def start():
    g.started = time.perf_counter()


@app.after_request
def log_request(response):
    log.info(json.dumps({"endpoint": f"baseline.{request.endpoint}", "route": request.url_rule.rule
                         if request.url_rule else None, "method": request.method, "status": response.status_code,
                         "duration_ms": round((time.perf_counter() - g.started) * 1000, 2)}))
    return response


@app.post("/insert")
def insert():
    conn = connection()
    with conn.transaction():
        conn.execute("INSERT INTO bench_baseline (email) VALUES (%s)", (request.form["email"],))
    return redirect("/hello", code=303)


@app.get("/hello")
def hello():
    return "hello"


@app.get("/healthz")
def healthz():
    return {"ok": True}
