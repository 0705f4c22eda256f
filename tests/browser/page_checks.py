"""Checks run on every page a browser journey visits: axe-core in the page and the Nu HTML checker.

The journey itself runs with JavaScript off, as many supporters browse. axe-core is a script, so each
page is checked in a second, script-enabled tab that is served the exact bytes the journey received
(same URL, so the page's own stylesheets load and contrast is measured as a visitor sees it). The same
bytes go to the Nu HTML checker (vnu.jar, run once per journey with Java).

Both checkers come from npm (`tests/browser/js/package.json`, installed by `make browser-deps`).
"""
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CHECKERS = Path(__file__).resolve().parent / "js" / "node_modules"
AXE_JS = CHECKERS / "axe-core" / "axe.min.js"
VNU_JAR = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
# WCAG 2.1 A and AA; "serious" and "critical" findings fail the journey.
AXE_RUN = """axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))})))"""


def missing_checkers() -> str | None:
    """Why the page checks cannot run here, or None."""
    if not AXE_JS.exists() or not VNU_JAR.exists():
        return "axe-core / vnu-jar not installed (make browser-deps runs npm in tests/browser/js)"
    if not JAVA:
        return "java not installed (the Nu HTML checker needs it)"
    return None


@dataclass
class PageChecks:
    """Records the document responses of a journey's tab and checks each page on demand."""

    inspector_context: object  # a script-enabled Playwright context at the journey's viewport
    out_dir: Path
    checked: list[str] = field(default_factory=list)
    axe_findings: dict[str, list] = field(default_factory=dict)
    _last_document: object = None

    def watch(self, page) -> None:
        page.on("response", self._remember)

    def _remember(self, response) -> None:
        if response.request.resource_type == "document" and not 300 <= response.status < 400:
            self._last_document = response

    def check(self, name: str) -> None:
        """Check the page the journey's tab shows now (the last document it received)."""
        response = self._last_document
        assert response is not None, f"{name}: no document was loaded"
        html = response.text()
        url = response.url.split("#")[0]
        path = self.out_dir / f"{len(self.checked):02d}-{name}.html"
        path.write_text(html, encoding="utf-8")
        self.checked.append(name)

        tab = self.inspector_context.new_page()
        try:
            tab.route(lambda u: u.split("#")[0] == url,
                      lambda route: route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8"))
            tab.goto(url)
            tab.add_script_tag(path=str(AXE_JS))
            findings = tab.evaluate(AXE_RUN)
        finally:
            tab.close()
        if findings:
            self.axe_findings[name] = findings

    def html_errors(self) -> list[str]:
        """Every error the Nu HTML checker reports on the pages checked so far."""
        files = sorted(str(p) for p in self.out_dir.glob("*.html"))
        if not files:
            return []
        run = subprocess.run([JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--errors-only", *files],
                             capture_output=True, text=True, timeout=300)
        messages = json.loads(run.stdout or "{}").get("messages", [])
        return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()}]"
                for m in messages if m.get("type") in ("error", "non-document-error")]

    def assert_clean(self) -> None:
        errors = self.html_errors()
        assert not self.axe_findings and not errors, (
            "axe serious/critical findings:\n" + json.dumps(self.axe_findings, indent=1)
            + "\nNu HTML checker errors:\n" + "\n".join(errors))
