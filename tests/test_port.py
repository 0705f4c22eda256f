"""`make run PORT=...`: the development server listens there and links in mail point there."""
import os
import subprocess  # nosec B404 - our own commands
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIGN_AND_READ_THE_MAIL = """
from advocacy import create_app
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
app = create_app()
client = app.test_client()
response = client.post("/campaigns/paid-family-leave/sign", headers={"Origin": app.config["PUBLIC_BASE_URL"]},
                       data={"given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org", "postal_code": "60614"})
assert response.status_code == 303, response.status_code
with app.app_context():
    from advocacy.signatures.service import queue_due_confirmations
    assert queue_due_confirmations() == 1  # the worker's step (make run runs the worker beside the app)
    print(db.session.query(OutboxMessage).one().context["confirm_url"])
"""


def test_make_run_port_reaches_the_server_and_the_mail_links(tmp_path):
    plan = subprocess.run(["make", "-n", "run", "PORT=5123"], cwd=ROOT, capture_output=True, text=True,  # nosec
                          check=True).stdout
    assert "--port 5123" in plan and "http://127.0.0.1:5123" in plan

    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "SECRET_KEY", "DATABASE_URL")}
    env |= {"ADVOCACY_ENV": "development", "PORT": "5123", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite'}",
            "REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://",
            "SIGN_MIN_FILL_SECONDS": "0"}  # the script posts without loading the page
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["advocacy", "seed"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)  # nosec B603
    link = subprocess.run([sys.executable, "-c", SIGN_AND_READ_THE_MAIL], cwd=ROOT, env=env, check=True,  # nosec
                          capture_output=True, text=True).stdout.strip()
    assert link.startswith("http://127.0.0.1:5123/signatures/confirm/") and link.endswith("?lang=en"), link
