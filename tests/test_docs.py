"""The project's documents point at things that exist: the tests docs/maths.md names, and
every relative link (file and heading) in the README, CONTRIBUTING.md and docs/."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]

# `tests/test_x.py::test_name`, or `test_x.py::test_name` after a full one in the same cell.
TEST_REFERENCE = re.compile(r"(?:tests/)?(test_\w+\.py)::(test_\w+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, '-' for spaces."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # a '#' in a code block is no heading
    return {anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, flags=re.M)}


def test_anchor_follows_githubs_rule():
    assert anchor("Identities the tests check") == "identities-the-tests-check"
    assert (
        anchor("What `softmax-explorer bench` measures") == "what-softmax-explorer-bench-measures"
    )
    assert anchor("float32 and float64") == "float32-and-float64"


def test_every_test_the_maths_names_exists():
    text = (ROOT / "docs" / "maths.md").read_text(encoding="utf-8")
    named = set(TEST_REFERENCE.findall(text))
    assert len(named) > 20  # the table was read
    for module, function in sorted(named):
        source = (ROOT / "tests" / module).read_text(encoding="utf-8")
        assert re.search(rf"^def {function}\(", source, flags=re.M), f"{module}::{function}"


@pytest.mark.parametrize("document", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_reach_a_file_and_a_heading(document):
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        name, _, fragment = target.partition("#")
        path = (document.parent / name).resolve() if name else document
        assert path.exists(), f"{document.name}: {target}"
        if fragment:
            assert fragment in anchors(path), f"{document.name}: {target}"


def test_architecture_lists_every_module_and_only_modules_that_exist():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = text.partition("\n## The tree\n")[2]
    listed = re.findall(r"^- `([\w/]+\.py)`: \S", tree, flags=re.M)
    package = ROOT / "explorer"
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert sorted(modules - set(listed)) == [], "modules missing from docs/architecture.md"
    assert sorted(set(listed) - modules) == [], "docs/architecture.md lists modules that are gone"


# The design notes and the two source texts the project began from live outside the
# repository; what the code relies on is in docs/ in the project's own words. (The words
# are bracketed or split so that this file does not match itself.)
# A numbered section of a text is cited; "seed 0" alone is a random seed.
OUTSIDE_DOCUMENTS = re.compile(
    r"\bDESIG[N]\b|(?i:\bsee[d]s\b)|(?i:\bsee[d] [12],? (?:results?|parts?|§))"
)


def test_no_file_cites_documents_outside_the_repository():
    files = [
        *DOCS,
        *(ROOT / "explorer").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
    ]
    assert len(files) > 100
    cited = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_DOCUMENTS.search(line)
    ]
    assert cited == [], "cite docs/maths.md, docs/performance.md, docs/architecture.md instead"


def test_the_outside_documents_pattern_finds_what_it_should():
    assert OUTSIDE_DOCUMENTS.search("(DESIG" + "N §4.7)")
    assert OUTSIDE_DOCUMENTS.search("in the see" + "ds' notation")
    assert OUTSIDE_DOCUMENTS.search("(See" + "d 2, result 3)")
    assert OUTSIDE_DOCUMENTS.search("(see" + "d 1, §3–4)")
    assert not OUTSIDE_DOCUMENTS.search("the next seed (the seed box shows it), --seed K")
    assert not OUTSIDE_DOCUMENTS.search("With the defaults (seed 0, learning rate 0.1)")
    assert not OUTSIDE_DOCUMENTS.search('"Color Universal Design"')


def test_every_file_the_documents_name_exists():
    named = {
        path
        for document in DOCS
        for path in re.findall(r"\b((?:explorer|tests)/[\w/]+\.py)\b", document.read_text("utf-8"))
    }
    assert len(named) > 10
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_every_document_the_code_cites_exists():
    files = [*(ROOT / "explorer").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    cited = {m for path in files for m in re.findall(r"docs/\w+\.md", path.read_text("utf-8"))}
    assert len(cited) >= 3
    assert sorted(c for c in cited if not (ROOT / c).exists()) == []
