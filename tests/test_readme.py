"""The README's own cross-references ("see *Deployment*") lead somewhere: each names a heading or a
bold label ("- **Counting.** ...") that is still in the file. An edit that cut five sections by
mistake (Donations to Deployment) left "see *Deployment*" pointing at nothing."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"see \*([^*]+)\*")
# The sections a newcomer needs (the developers' guide): how to run it and how to deploy it.
REQUIRED_HEADINGS = ("The two commands", "Configuration", "Deployment", "One machine", "Many machines",
                     "Benchmark", "Measured", "Layout")


def _targets(text: str) -> set[str]:
    headings = {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", text, re.M)}
    labels = {m.group(1).strip().rstrip(".:") for m in re.finditer(r"\*\*([^*]+?)\*\*", text)}
    return headings | labels


def _label_prefixes(targets: set[str]) -> set[str]:
    # "- **Bots: suspect signatures are stored and held, never refused.**" is found as *Bots*.
    return {t.split(":")[0].strip() for t in targets}


@pytest.mark.parametrize("name", ["README.md", "ARCHITECTURE.md"])
def test_every_see_reference_names_a_section_that_exists(name):
    text = (ROOT / name).read_text()
    targets = _targets((ROOT / "README.md").read_text()) | _targets(text)
    known = targets | _label_prefixes(targets)
    missing = sorted({ref for ref in REFERENCE.findall(text) if ref.strip() not in known})
    assert missing == [], f"{name} refers to sections that are not there: {missing}"


def test_readme_keeps_the_sections_a_newcomer_needs():
    headings = {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", (ROOT / "README.md").read_text(), re.M)}
    assert [h for h in REQUIRED_HEADINGS if h not in headings] == []


def test_every_picture_and_file_the_readme_links_is_in_the_repository():
    text = (ROOT / "README.md").read_text()
    local = {m.group(1).split("#")[0] for m in re.finditer(r"\]\(([^)\s]+)\)", text)
             if not re.match(r"[a-z]+:|#", m.group(1))}
    assert local, "the README links no file of its own"
    assert sorted(path for path in local if not (ROOT / path).exists()) == []
