"""`make audit`, second half: pip-audit over the installed environment, saying plainly what it checked.

pip-audit asks PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json, the "vulnerabilities"
field, which PyPI fills from the OSV database) about every installed distribution. Exit codes:

- 1 when any installed version has a known vulnerability (the build fails);
- 0 when none has, or when the vulnerability data could not be reached at all (e.g. a machine that
  reaches only a package mirror): then it prints "NOT CHECKED" and why, and does not fail the build
  for that reason. Distributions that are not on PyPI (this project itself) are listed as skipped.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT = 50  # seconds: the audit must stay well under a minute


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "pip-audit.json"
        command = [str(Path(sys.executable).with_name("pip-audit")), "--vulnerability-service", "pypi",
                   "--progress-spinner", "off", "--format", "json", "--output", str(report)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)  # nosec B603
        except subprocess.TimeoutExpired:
            print(f"pip-audit: NOT CHECKED - no answer from PyPI within {TIMEOUT} s.")
            return 0
        if not report.exists():
            print("pip-audit: NOT CHECKED - it could not run:\n" + (run.stderr or run.stdout).strip()[-2000:])
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    skipped = [d for d in dependencies if "skip_reason" in d]
    checked = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    if not checked:
        print(f"pip-audit: NOT CHECKED - PyPI's vulnerability data was unreachable for all {len(skipped)} "
              "installed distributions (this machine reaches a package mirror, not "
              "https://pypi.org/pypi/<name>/<version>/json). Run `make audit` where PyPI is reachable.")
        return 0
    print(f"pip-audit: {len(checked)} distributions checked against PyPI's vulnerability data, "
          f"{len(vulnerable)} vulnerable; {len(skipped)} skipped "
          f"({', '.join(d['name'] for d in skipped)}).")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
