"""Every relative link and image in README.md and docs/ resolves (anchors included)."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page):
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", page.read_text(), re.M)}


def relative_links(page):
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)   # code blocks are not links
    for target in LINK.findall(text):
        if not re.match(r"[a-z]+:", target):                      # http:, https:, mailto:
            yield target


CASES = [(page, target) for page in PAGES for target in relative_links(page)]


def test_there_are_links_to_check():
    assert len(PAGES) >= 2 and len(CASES) >= 10


@pytest.mark.parametrize("page,target", CASES,
                         ids=[f"{p.name}->{t}" for p, t in CASES])
def test_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    dest = (page.parent / path).resolve() if path else page
    assert dest.exists(), f"{page.relative_to(ROOT)} links to missing {target}"
    if anchor and dest.suffix == ".md":
        assert anchor in anchors(dest), f"{page.relative_to(ROOT)}: no heading for #{anchor} in {dest.name}"


def test_slug_matches_github():
    assert slug("Differences from Keras") == "differences-from-keras"
    assert slug("Backward (backpropagation through time)") == "backward-backpropagation-through-time"


def test_the_math_page_quotes_the_specification_line_for_line():
    """Every line of a Python block in docs/lstm-math.md stands, as written, in ops/lstm.py."""
    code = (ROOT / "tinylstm" / "ops" / "lstm.py").read_text().splitlines()
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "lstm-math.md").read_text(), re.S)
    quoted = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(quoted) >= 25, "the page should quote the forward loop, the backward loop and the sums"
    missing = [line for line in quoted if line not in code]
    assert not missing, f"lines of docs/lstm-math.md not in tinylstm/ops/lstm.py: {missing}"
