"""Delivery benchmark: 1,000,000 confirmed signatures in PostgreSQL (`make bench`).

Measures the signatures CSV export (time and peak RSS of the exporting process, run in a fresh
subprocess) and the public campaign JSON with its tallies (median / p95 over 200 requests).
Targets from the issue: CSV < 20 s, peak RSS < 200 MB, JSON < 50 ms. Results go to bench/results/.
Then runs bench/surge.py (signing surge: tally deltas vs. one hot counter row).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_advocacy python -m bench.run
The database is created if missing and loaded once (re-runs reuse it; --reload starts over).
"""
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

N = int(os.environ.get("BENCH_SIGNATURES", "1000000"))
URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_advocacy")
SLUG = "bench-delivery"
ORGANISER = "bench-organiser@example.org"
PASSWORD = "bench password long enough"
TARGETS = {"csv_seconds": 20.0, "csv_peak_rss_mb": 200.0, "json_median_ms": 50.0, "json_p95_ms": 50.0}
RESULTS = Path(__file__).resolve().parent / "results"


def ensure_database():
    base, _, name = URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
        elif "--reload" in sys.argv:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')


def make_app():
    os.environ["DATABASE_URL"] = URL.replace("postgresql://", "postgresql+psycopg://", 1)
    os.environ.setdefault("RATELIMIT_ENABLED", "false")
    # The app refuses to start without a key; a random one per run (the export subprocess inherits it).
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    from advocacy import create_app

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def load(app):
    from flask_migrate import upgrade

    from advocacy.accounts.service import add_member, create_user, find_user
    from advocacy.campaigns.models import Campaign
    from advocacy.extensions import db
    from advocacy.geography.service import load_geography
    from advocacy.signatures.counting import recount

    upgrade()
    campaign = db.session.query(Campaign).filter_by(slug=SLUG).one_or_none()
    if campaign is None:
        load_geography()
        campaign = Campaign(slug=SLUG, title="Benchmark campaign", ask="Pass the law.", goal=2_000_000,
                            state="open")
        db.session.add(campaign)
        db.session.commit()
    if find_user(ORGANISER) is None:
        add_member(campaign, create_user(ORGANISER, PASSWORD))
        db.session.commit()
    have = db.session.execute(db.text("SELECT count(*) FROM signatures WHERE campaign_id = :c"),
                              {"c": campaign.id}).scalar()
    if have >= N:
        print(f"reusing {have:,} signatures")
        return campaign.id
    started = time.perf_counter()
    zips = [z for (z,) in db.session.execute(db.text("SELECT DISTINCT zip FROM zip_districts"))]
    zips += ["94120", "05402", "00000"]  # PO boxes and an unknown ZIP
    import zipcodes

    usps = {z["zip_code"]: (z["state"], z["city"].title()) for z in zipcodes.list_all()}
    rng = random.Random(4)
    now = datetime(2026, 1, 1)
    conn = psycopg.connect(URL)
    with conn.cursor() as cur:
        with cur.copy("COPY signatures (campaign_id, full_name, email, email_canonical, postal_code, state, town, "
                      "comment, comment_status, show_name, keep_updated, share_email, status, locale, "
                      "created_at, confirmed_at) FROM STDIN") as copy:
            for i in range(have, N):
                z = rng.choice(zips)
                email = f"signer{i}@example.org"
                commented = i % 20 == 0
                at = now + timedelta(seconds=i)
                copy.write_row((campaign.id, f"Signer Number{i}", email, email, z, *usps.get(z, ("??", None)),
                                f"Comment {i}" if commented else None, "approved" if commented else "none",
                                i % 2 == 0, False, i % 3 == 0, "confirmed", "en", at, at))
        cur.execute("""
            INSERT INTO signature_districts (signature_id, district, shared)
            SELECT s.id, s.state || '-' || CASE WHEN z.district = 0 THEN 'AL' ELSE z.district::text END,
                   count(*) OVER (PARTITION BY s.id) > 1
            FROM signatures s JOIN zip_districts z ON z.zip = left(s.postal_code, 5) AND z.state = s.state
            WHERE s.campaign_id = %s
            ON CONFLICT DO NOTHING""", (campaign.id,))
        cur.execute("""
            INSERT INTO signature_districts (signature_id, district, shared)
            SELECT s.id, s.state || '-??', false FROM signatures s
            WHERE s.campaign_id = %s AND NOT EXISTS (SELECT 1 FROM signature_districts d WHERE d.signature_id = s.id)
            """, (campaign.id,))
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.close()
    print(f"loaded {N - have:,} signatures in {time.perf_counter() - started:.1f} s")
    drifts = recount(campaign.id)  # builds the tallies from the signatures
    print(f"recount: {len(drifts)} tallies built in {time.perf_counter() - started:.1f} s total")
    return campaign.id


def export_csv_in_subprocess() -> dict:
    """A fresh process logs in and downloads the CSV, reporting time, bytes and its peak RSS."""
    code = r"""
import json, sys, time
from bench.run import make_app, ORGANISER, SLUG

def peak_mb():
    # VmHWM: this process's peak resident set. (ru_maxrss would carry the parent's peak across exec.)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

app = make_app()
client = app.test_client()
with app.app_context():
    from advocacy.accounts.service import find_user
    session_id = find_user(ORGANISER).get_id()  # "<id>:<session version>", as Flask-Login stores it
with client.session_transaction() as session:  # logged in without hashing a password (argon2 uses 64 MB)
    session["_user_id"], session["_fresh"] = session_id, True
before = peak_mb()
started = time.perf_counter()
response = client.get(f"/organise/campaigns/{SLUG}/exports/signatures.csv", buffered=False)
size = lines = 0
for chunk in response.response:
    size += len(chunk); lines += chunk.count(b"\n")
response.close()
seconds = time.perf_counter() - started
if response.status_code != 200:
    sys.exit(f"the CSV export answered {response.status_code}, not 200")
print(json.dumps({"status": response.status_code, "csv_seconds": seconds, "rss_before_export_mb": before, "bytes": size, "rows": lines - 1,
                  "csv_peak_rss_mb": peak_mb()}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def json_latency(app, requests=200) -> dict:
    """The campaign JSON rendered every time (both page caches off): what a cache miss costs with
    tallies over 1,000,000 signatures. Cached answers are measured over HTTP by bench/http.py."""
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    client = app.test_client()
    client.get(f"/campaigns/{SLUG}.json")  # warm up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(f"/campaigns/{SLUG}.json")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    data = response.get_json()
    times.sort()
    return {"json_median_ms": statistics.median(times), "json_p95_ms": times[int(0.95 * len(times)) - 1],
            "json_signature_count": data["signature_count"], "json_states": len(data["signatures_by_state"]),
            "json_districts": len(data["signatures_by_district"])}


def main():
    ensure_database()
    app = make_app()
    with app.app_context():
        load(app)
        results = {"signatures": N, "when": datetime.now().isoformat(timespec="seconds")}
        results |= json_latency(app)
    results |= export_csv_in_subprocess()
    print(f"\nDelivery benchmark, {N:,} confirmed signatures (PostgreSQL)")
    for key, target in TARGETS.items():
        print(f"  {key:18} {results[key]:10.2f}   target {target:6.0f}   ratio {results[key] / target:5.2f}")
    print(f"  (the exporting process used {results['rss_before_export_mb']:.0f} MB before the export started)")
    print(f"  CSV: {results['rows']:,} rows, {results['bytes'] / 1e6:.1f} MB; JSON: "
          f"{results['json_states']} states, {results['json_districts']} districts")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"delivery-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"  written to {path}")


if __name__ == "__main__":
    main()
    from bench import surge

    print("\n" + "\n".join(surge.main()))
