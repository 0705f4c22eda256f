"""Browser fixtures (imported by tests/conftest.py): real Chromium (Debian's, through Playwright) against the app served on a local port."""
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Where the browser tests leave their pictures (for a look); the README's come from `make screenshots`.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or tempfile.gettempdir())
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def chromium():
    if not CHROMIUM:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    """A 360 px phone with JavaScript off."""
    return chromium.new_context(java_script_enabled=False, **PHONE).new_page()
