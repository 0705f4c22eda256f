#!/usr/bin/env python3
"""Take the README's screenshots (`make screenshots`): a throwaway SQLite database built by the
migrations, the seed campaigns and a few hundred confirmed signatures made through the real services,
the app served on a free local port, and Debian's Chromium (through Playwright) visiting it.

Writes docs/screenshots/*.png (or SCREENSHOTS_DIR). The phone pictures are 360 px wide with
JavaScript off, as a supporter on a cheap phone sees them.
"""
import contextlib
import io
import logging
import os
import random
import secrets
import shutil
import socket
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "docs" / "screenshots")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1, "java_script_enabled": False}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
SLUG = "paid-family-leave"
ORGANISER, PASSWORD = "organiser@example.org", secrets.token_urlsafe(16)
SIGNERS = 240
SOURCES = (None, None, None, "newsletter", "whatsapp", "union-partner")  # ?source= codes of the sign links
SEED = 2024  # the same people, places and comments on every run

GIVEN = ["Maria", "James", "Keisha", "Luis", "Ana", "Robert", "Mei", "David", "Fatima", "Michael", "Rosa", "John",
         "Aisha", "Carlos", "Linda", "Tran", "Jennifer", "Miguel", "Patricia", "Darnell", "Sofia", "William",
         "Priya", "Jose", "Elizabeth", "Kevin", "Lucia", "Thomas", "Grace", "Andre", "Emily", "Hector"]
FAMILY = ["Lopez", "Smith", "Brown", "Garcia", "Johnson", "Nguyen", "Williams", "Martinez", "Davis", "Patel",
          "Rodriguez", "Miller", "Wilson", "Hernandez", "Anderson", "Kim", "Thomas", "Jackson", "Gonzalez",
          "White", "Harris", "Chen", "Robinson", "Clark", "Ramirez", "Lewis", "Walker", "Young", "Allen"]
COMMENTS = [
    ("en", "When my daughter was born I went back to work after nine days. No parent should have to do that."),
    ("en", "I used every sick day I had caring for my dad after his stroke, then I lost my job."),
    ("en", "Small businesses like mine want this too: a public program means we can offer leave we could never afford."),
    ("es", "Cuando nació mi hijo tuve que volver al trabajo a la semana. Nadie debería elegir entre su bebé y su sueldo."),
    ("en", "My wife had a difficult birth and I had no leave at all. We got through it, but barely."),
    ("en", "Every other rich country has this. It is time."),
    ("es", "Cuidé a mi madre con cáncer sin un solo día pagado. Esto cambiaría la vida de muchas familias."),
    ("en", "Nurses take care of everyone else's families. We deserve time for our own."),
]
LETTERS = [
    "I drive a delivery truck. When my son was born premature I had to choose between the NICU and my paycheck. "
    "I chose him, and we spent a year paying off the rent we missed. Please pass paid family and medical leave.",
    "I run a bakery with eleven employees. I cannot afford to pay someone for twelve weeks off, but a national "
    "insurance program would let me keep good people instead of losing them. Please vote yes.",
]
# Typed into the paper sheet form, not saved; the last one signed online already.
PAPER_LINES = [("Grace Okafor", "19104", "", False), ("Tomás Reyes", "78702", "tomas.reyes@example.org", True),
               ("Lucía Ramírez", "30303", "lucia.ramirez@example.org", True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def confirm_url(email: str) -> str:
    """The confirm link of the latest mail queued for `email` (the worker renders the mail later)."""
    import sqlalchemy as sa

    from advocacy.extensions import db
    from advocacy.mail.models import OutboxMessage

    url = db.session.scalars(sa.select(OutboxMessage.context).where(
        OutboxMessage.to_address == email, OutboxMessage.kind == "confirm_signature")
        .order_by(OutboxMessage.id.desc()).limit(1)).one()["confirm_url"]
    db.session.commit()  # end the read: the server thread writes to the same SQLite file
    return url


def send_mail():
    """Run the mail worker's sending step; with no SMTP relay it prints each mail, so hide them."""
    from advocacy.mail.service import send_due

    with contextlib.redirect_stdout(io.StringIO()):
        while sum(send_due()):
            pass


def build_database():
    """The schema from the migrations, geography, the seed campaigns, an organiser of SLUG, and
    SIGNERS signatures of it from random ZIPs (so across most states), nearly all confirmed, a few
    with comments and two with public letters, approved by the organiser."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from advocacy.accounts.service import add_member, create_user
    from advocacy.campaigns.models import Campaign
    from advocacy.campaigns.seed import seed_campaigns
    from advocacy.database import transaction, utcnow
    from advocacy.extensions import db
    from advocacy.geography.service import DATA_DIR, load_geography
    from advocacy.moderation.service import moderate, moderate_letters
    from advocacy.signatures.letters import LetterDetails, write_letter
    from advocacy.signatures.models import Signature
    from advocacy.signatures.service import SignerDetails, confirm, sign

    upgrade()
    load_geography()
    seed_campaigns()
    campaign = db.session.scalars(sa.select(Campaign).where(Campaign.slug == SLUG)).one()
    organiser = create_user(ORGANISER, PASSWORD, name="Dana Whitfield")
    with transaction():
        add_member(campaign, organiser)

    rng = random.Random(SEED)
    zips = sorted({line.split(",")[2] for line in (DATA_DIR / "zccd.csv").read_text().splitlines()[1:]})
    commenters, letters = [], []
    for n in range(SIGNERS):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        email = f"{given}.{family}.{n}@example.org".lower()
        if n % 9 == 4 and n // 9 < len(COMMENTS):
            locale, comment = COMMENTS[n // 9]
        else:
            locale, comment = "es" if rng.random() < 0.15 else "en", None
        sign(campaign, SignerDetails(given_name=given, family_name=family, email=email, postal_code=rng.choice(zips),
                                     comment=comment, show_name=rng.random() < 0.7, locale=locale,
                                     source=rng.choice(SOURCES)))
        if n % 16 == 15:
            continue  # never confirmed: the dashboard shows some awaiting confirmation
        token = urlsplit(confirm_url(email)).path.rsplit("/", 1)[1]
        confirm(token)
        if comment:
            commenters.append(email)
        if len(letters) < len(LETTERS) and n % 50 == 7:
            letters.append(write_letter(token, LetterDetails(body=LETTERS[len(letters)], show_publicly=True,
                                                             show_name=True)).id)
    with transaction():
        # Spread the confirmations over three weeks, most in the last two days (a launch and a
        # push), so the page's hourly chart and the dashboard's daily chart have a shape.
        now = utcnow()
        for signature in db.session.scalars(sa.select(Signature).where(Signature.status == "confirmed")):
            hours = rng.uniform(0, 47) if rng.random() < 0.6 else rng.triangular(48, 21 * 24, 48)
            signature.confirmed_at = now - timedelta(hours=hours)
            signature.created_at = signature.confirmed_at - timedelta(minutes=rng.uniform(1, 90))
    # Most comments approved by the organiser; the last two wait on the dashboard.
    approve = db.session.scalars(sa.select(Signature.id).where(Signature.email.in_(commenters[:-2]))).all()
    moderate(campaign, approve, "approve", organiser)
    moderate_letters(campaign, letters, "approve", organiser)
    send_mail()
    db.session.commit()


def down_to(page, path: Path, element, include: bool = False):
    """A full-page picture cut off above `element` (or below it, `include`). The campaign page and
    the dashboard list every member with a constituent who signed: hundreds of rows."""
    box = element.bounding_box()
    height = box["y"] + (box["height"] if include else 0)
    page.screenshot(path=path, full_page=True, clip={"x": 0, "y": 0, "width": page.viewport_size["width"],
                                                     "height": height})


def shoot(base: str):
    from playwright.sync_api import expect, sync_playwright

    campaign_url = f"{base}/campaigns/{SLUG}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        phone = browser.new_context(locale="en-US", **PHONE).new_page()
        phone.goto(campaign_url)
        down_to(phone, OUT / "campaign-360.png", phone.locator("section.accountability"))
        card = urlsplit(phone.locator('meta[property="og:image"]').get_attribute("content"))
        picture = phone.request.get(f"{base}{card.path}" + (f"?{card.query}" if card.query else ""))
        assert picture.ok and picture.headers["content-type"] == "image/png", picture.status
        (OUT / "share-card.png").write_bytes(picture.body())
        phone.get_by_role("button", name="Sign the petition").click()
        phone.get_by_role("heading", name="There is a problem").wait_for()
        phone.screenshot(path=OUT / "sign-errors-360.png")

        spanish = browser.new_context(locale="en-US", **PHONE).new_page()
        spanish.goto(f"{campaign_url}?lang=es")  # the lang cookie keeps Spanish on the next pages
        down_to(spanish, OUT / "campaign-es-360.png", spanish.locator("section.accountability"))
        spanish.get_by_label("Nombre(s)", exact=True).fill("Lucía")
        spanish.get_by_label("Apellido(s) (opcional)", exact=True).fill("Ramírez")
        spanish.get_by_label("Correo electrónico", exact=True).fill("lucia.ramirez@example.org")
        spanish.get_by_label("Código postal (ZIP)", exact=True).fill("30303")
        spanish.get_by_role("button", name="Firmar la petición").click()
        spanish.get_by_role("heading", name="Revisa tu correo").wait_for()
        spanish.goto(base + urlsplit(confirm_url("lucia.ramirez@example.org")).path)
        spanish.get_by_role("button", name="Confirmar mi firma").click()
        spanish.wait_for_url("**/signatures/confirmed/**")
        spanish.screenshot(path=OUT / "confirmed-es-360.png", full_page=True)
        send_mail()

        desktop = browser.new_context(locale="en-US", **DESKTOP).new_page()
        desktop.goto(campaign_url)
        desktop.locator("section.delivery-map").screenshot(path=OUT / "campaign-map-desktop.png")
        desktop.goto(f"{base}/organise/login")
        desktop.get_by_label("Email address").fill(ORGANISER)
        desktop.get_by_label("Password").fill(PASSWORD)
        desktop.get_by_role("button", name="Sign in").click()
        desktop.goto(f"{base}/organise/campaigns/{SLUG}")
        assert "/login" not in desktop.url, "the organiser could not sign in"
        down_to(desktop, OUT / "organiser-dashboard.png", desktop.locator(".delivery-panel tbody tr").nth(11),
                include=True)  # down to the twelfth lawmaker
        desktop.goto(f"{base}/organise/campaigns/{SLUG}/paper")
        for row, (name, zip_code, email, updates) in enumerate(PAPER_LINES):
            desktop.fill(f"#rows-{row}-full_name", name)
            desktop.fill(f"#rows-{row}-postal_code", zip_code)
            desktop.fill(f"#rows-{row}-email", email)
            desktop.set_checked(f"#rows-{row}-keep_updated", updates)
        desktop.press(f"#rows-{len(PAPER_LINES) - 1}-email", "Tab")  # the page's script checks the email
        expect(desktop.locator(f"#rows-{len(PAPER_LINES) - 1}-email-check")).not_to_be_empty()
        desktop.screenshot(path=OUT / "paper-sheet-entry.png", full_page=True)
        browser.close()


def main():
    if not CHROMIUM:
        sys.exit("screenshots: Debian's chromium is not installed "
                 "(apt-get install chromium, or `make browser-deps` as root)")
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="advocacy-shots-") as tmp:
        # Read by advocacy.config when it is first imported, below.
        os.environ.update({
            "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite", "SECRET_KEY": secrets.token_hex(32),
            "ADVOCACY_ENV": "development", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SMTP_HOST": "",
            "CARD_CACHE_DIR": f"{tmp}/cards", "SIGN_MIN_FILL_SECONDS": "0", "PUBLIC_PAGE_CACHE_SECONDS": "0",
            "OPEN_DATA_CACHE_SECONDS": "0", "CAMPAIGN_CACHE_SECONDS": "0"})
        from werkzeug.serving import make_server

        from advocacy import create_app

        app = create_app()
        with app.app_context():
            build_database()
            server = make_server("127.0.0.1", port, app, threaded=True)
            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                shoot(f"http://127.0.0.1:{port}")
            finally:
                server.shutdown()
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}  {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
