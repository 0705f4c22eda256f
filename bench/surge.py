"""Signing surge on PostgreSQL: append-only tally deltas vs. one hot counter row.

Each simulated confirmation is one transaction that marks a signature confirmed and counts it.
  - ours:     INSERT INTO tally_deltas (...)                     (what advocacy does)
  - baseline: UPDATE tallies SET count = count + 1 WHERE ...     (one counter row per campaign)
THREADS connections confirm as fast as they can for SECONDS each; we report confirmations/s and
p95 latency. Run: `python -m bench.surge` (needs PostgreSQL at BENCH_DATABASE_URL).
"""
import os
import statistics
import threading
import time

import psycopg

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_surge")
THREADS = int(os.environ.get("SURGE_THREADS", "16"))
SECONDS = float(os.environ.get("SURGE_SECONDS", "10"))
SIGNATURES = 2_000_000


def prepare(sqlalchemy_url: str) -> None:
    base, _, name = URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # also when one URL serves run.py and surge.py
        conn.execute(f'CREATE DATABASE "{name}"')
    from flask_migrate import upgrade

    from advocacy import create_app
    from advocacy.config import TestConfig

    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": sqlalchemy_url}))
    with app.app_context():
        upgrade()
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute("INSERT INTO campaigns (slug, title, ask, summary, background, target_chamber, target_states,"
                     " goal, state, created_at, updated_at) VALUES ('surge', 'Surge', 'Ask.', '', '', 'both', '',"
                     " 1000000, 'open', now(), now())")
        conn.execute("INSERT INTO tallies (campaign_id, kind, key, count) VALUES (1, 'total', '', 0)")
        conn.execute(
            "INSERT INTO signatures (campaign_id, full_name, email, email_canonical, postal_code, comment_status,"
            " show_name, keep_updated, share_email, status, locale, created_at)"
            f" SELECT 1, 'Signer', 's'||g||'@example.org', 's'||g||'@example.org', '60614', 'none', false, false,"
            f" false, 'pending', 'en', now() FROM generate_series(1, {SIGNATURES}) g")
        conn.execute("VACUUM ANALYZE")


def run(mode: str, start_id: int) -> dict:
    latencies: list[float] = []
    lock = threading.Lock()
    next_id = iter(range(start_id, SIGNATURES + 1))
    deadline = time.perf_counter() + SECONDS
    count_sql = ("INSERT INTO tally_deltas (campaign_id, kind, key, delta) VALUES (1, 'total', '', 1)"
                 if mode == "ours" else
                 "UPDATE tallies SET count = count + 1 WHERE campaign_id = 1 AND kind = 'total' AND key = ''")

    def worker():
        mine = []
        with psycopg.connect(URL) as conn:
            while time.perf_counter() < deadline:
                with lock:
                    sid = next(next_id)
                t0 = time.perf_counter()
                conn.execute("UPDATE signatures SET status = 'confirmed', confirmed_at = now()"
                             " WHERE id = %s AND status = 'pending'", (sid,))
                conn.execute(count_sql)
                conn.commit()
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"mode": mode, "confirmations": len(latencies), "per_second": len(latencies) / elapsed,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))]}


def main() -> list[str]:
    prepare(URL.replace("postgresql://", "postgresql+psycopg://", 1))
    baseline = run("baseline", 1)
    ours = run("ours", baseline["confirmations"] + 1)
    lines = [f"surge ({THREADS} concurrent confirmers, {SECONDS:.0f} s each, PostgreSQL, synchronous commit)"]
    for r in (baseline, ours):
        lines.append(f"  {r['mode']:8s} {r['per_second']:8.0f} confirmations/s  p50 {r['p50_ms']:6.2f} ms"
                     f"  p95 {r['p95_ms']:6.2f} ms")
    lines.append(f"  ratio ours/baseline: throughput x{ours['per_second'] / baseline['per_second']:.2f},"
                 f" p95 latency x{ours['p95_ms'] / baseline['p95_ms']:.2f}")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
