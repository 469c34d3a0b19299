"""Fuzz the command line: random argument lists from the real option set, run in-process.

Every option of ``softmax-explorer`` and ``softmax-explorer export`` (read from their
parsers) with values of every kind: numbers of every size, empty strings, text with
the surrogates a non-UTF-8 argument decodes to, paths that do not exist, folders, junk
files and real inputs. Each list goes through :func:`explorer.cli.main` with the export
writing into an empty folder (the current one) and training at most a few steps; the
window command's event loop is replaced by a stub.

The property: exit code 0 or 2, never a traceback or another code; a refusal (2) writes
nothing; a success writes exactly the files it prints. The default run draws
:data:`SMALL_BUDGET` lists per command; ``-m fuzz`` runs :data:`LARGE_BUDGET` more.
"""

import contextlib
import io
import os
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from explorer.app.export_command import export_parser
from explorer.app.options import window_parser
from explorer.cli import main

SMALL_BUDGET = 25
LARGE_BUDGET = 400

#: Outcome counts of this process's fuzz runs, for the note (pytest -s prints them).
OUTCOMES: Counter = Counter()

# ------------------------------------------------------------------------ inputs
#: Placeholders for the input files, replaced by absolute paths in the inputs folder.
INPUTS = ("points.csv", "bad.csv", "junk.bin", "saved.smx", "scrubbed.smx", "empty.smx")


@pytest.fixture(scope="module")
def inputs():
    """A folder of input files the fuzz may name (it must never change them)."""
    from explorer.session.config import Config
    from explorer.session.persist import save_session
    from explorer.session.session import Session

    with tempfile.TemporaryDirectory(prefix="fuzz-inputs-") as folder:
        folder = Path(folder)
        rng = np.random.default_rng(0)
        rows = [
            f"{x:.3f},{y:.3f},{'abc'[k % 3]}" for k, (x, y) in enumerate(rng.normal(size=(45, 2)))
        ]
        (folder / "points.csv").write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
        (folder / "bad.csv").write_text("x1,x2,label\n1,2\n3,four,5\n")
        (folder / "junk.bin").write_bytes(bytes(range(256)) * 4)
        session = Session(Config(samples=60))
        session.step(8)
        save_session(session, folder / "saved.smx")
        session.seek(3)
        save_session(session, folder / "scrubbed.smx")
        (folder / "empty.smx").write_bytes(b"")
        (folder / "a folder").mkdir()
        before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        yield folder
        after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        assert after == before, "the fuzz changed an input file"


# ------------------------------------------------------------------------ values
def _as_text(number) -> str:
    return str(number)


#: Numbers of every size, written as a user might type them (and as no one would).
numbers = st.one_of(
    st.integers(-3, 12).map(_as_text),
    st.integers(-(2**70), 2**70).map(_as_text),
    st.sampled_from([10**400, -(10**400), 2**31, 2**63, 1_000_000, 1_000_001]).map(_as_text),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(0, 2).map(lambda x: f"{x:.3g}"),
    st.sampled_from(["1e400", "-0", "0x10", "1_000", "٣", " 2 ", "1,5", "nan", "-inf", "5e-324"]),
)

#: Text: empty, blanks, unicode, and the lone surrogates a non-UTF-8 argument decodes to
#: under ``surrogateescape`` (what ``sys.argv`` holds for such bytes on POSIX). No NUL:
#: an argument cannot hold one.
texts = st.one_of(
    st.sampled_from(["", " ", "\t", "-", "--", "-x", "worst", "none", "null"]),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=12,
    ),
    st.lists(st.integers(0x80, 0xFF), min_size=1, max_size=6).map(
        lambda bs: bytes(bs).decode("utf-8", "surrogateescape")
    ),
)

#: Paths to read, relative to the (empty) current folder or absolute; "{IN}/..." names
#: an input.
input_paths = st.one_of(
    st.sampled_from(
        [
            "",
            "out",
            "s.smx",
            "missing/s.smx",
            "/nonexistent/dir/x",
            "/proc/x",
            ".",
            "..",
            "{IN}",
            "{IN}/a folder",
            "{IN}/nothing-here.csv",
        ]
    ),
    st.sampled_from(INPUTS).map(lambda name: "{IN}/" + name),
    texts,
)


def _inside(text: str) -> str:
    """``text`` as a path that stays in the current folder (no root, no ``..``)."""
    parts = [part for part in text.split("/") if part not in ("", "..")]
    return "/".join(parts) or "x"


#: Paths to write: in the current folder, or where nothing can be written. Never a
#: creatable absolute path or a device such as /dev/null: the tests may run as root,
#: and a fault would write there (or replace the device).
_relative_outputs = st.one_of(
    st.sampled_from(
        [
            "",
            "out",
            "out/deeper",
            "s.smx",
            "out/s.smx",
            "missing/s.smx",
            "out/regions.png",
            "export/window.png",
            ".",
            "sub/..",
            "/proc/x",
            "/proc/self",
            "/proc/self/x",
        ]
    ),
    texts.map(lambda t: t if not t.strip() else _inside(t)),
)
out_paths = _relative_outputs
session_paths = st.one_of(
    _relative_outputs, st.sampled_from(["/nonexistent/dir/x.smx", "{IN}/a folder"])
)


def _comma_list(choices) -> st.SearchStrategy[str]:
    token = st.one_of(st.sampled_from(list(choices)), texts, st.sampled_from(["", " ", "PNG"]))
    return st.lists(token, max_size=4).map(",".join)


#: The export trains at most a few steps; its refused values of --steps are drawn too.
steps_values = st.one_of(
    st.integers(0, 4).map(_as_text),
    st.sampled_from(["-1", "1000001", str(10**30), "", "x", "1e3", "nan"]),
)

SPECIAL = {
    "csv": input_paths,
    "load": input_paths,
    "out": out_paths,
    "save_session": session_paths,
    "steps": steps_values,
    "select": st.one_of(st.sampled_from(["worst", "0", "-1", "59", "60", "299"]), numbers, texts),
    "features": st.one_of(
        st.sampled_from(["identity", "poly", "rff", "poly0", "poly3", "poly7", "POLY2", "poly٣"]),
        texts,
    ),
}


def _values_for(action) -> st.SearchStrategy[list[str]]:
    """The arguments after ``action``'s option: none for a flag, else one drawn value."""
    if action.nargs == 0:
        return st.just([])
    if action.dest in SPECIAL:
        value = SPECIAL[action.dest]
    elif action.choices:
        value = st.one_of(st.sampled_from(list(action.choices)), texts)
    elif getattr(action.type, "__name__", "") == "parse":  # a comma list of names
        value = _comma_list(_LIST_CHOICES[action.dest])
    else:
        value = st.one_of(numbers, numbers, texts)
    return value.map(lambda v: [v])


_LIST_CHOICES = {
    "views": ("regions", "jacobian", "bars", "curves", "inspector", "parameters", "window"),
    "format": ("png", "svg", "pdf", "tex"),
    "points": ("csv",),
    "numbers": ("csv", "json"),
    "animation": ("gif", "mp4", "webm", "apng", "webp", "pdf"),
    "overlays": ("boundaries", "weights", "pull"),
}


def argument_lists(parser, *, skip=("help", "version")) -> st.SearchStrategy[list[str]]:
    """Lists of 0..6 options of ``parser`` with values, and now and then a stray word."""
    actions = [a for a in parser._actions if a.option_strings and a.dest not in skip]

    def one(action):
        names = action.option_strings
        # argparse also takes an unambiguous prefix (--dat for --dataset).
        name = st.one_of(st.sampled_from(names), st.just(names[-1][: max(3, len(names[-1]) - 3)]))
        return st.tuples(name, _values_for(action)).map(lambda t: [t[0], *t[1]])

    option = st.one_of(*(one(a) for a in actions))
    stray = st.one_of(texts, st.sampled_from(["--bogus", "-h", "--version", "export"])).map(
        lambda w: [w]
    )
    return st.lists(st.one_of(option, option, option, stray), max_size=6).map(
        lambda parts: [word for part in parts for word in part]
    )


# ------------------------------------------------------------------------ running
def _resolve(argv: list[str], inputs: Path) -> list[str]:
    return [a.replace("{IN}", str(inputs)) for a in argv]


def _files_under(folder: Path) -> tuple[set[str], set[str]]:
    """(every path, the files) under ``folder``, relative to it."""
    found = list(folder.rglob("*"))
    relative = {p: str(p.relative_to(folder)) for p in found}
    return set(relative.values()), {r for p, r in relative.items() if not p.is_dir()}


def _run(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with stdout and stderr captured: (exit code, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _check_export(argv: list[str], inputs: Path) -> None:
    # --steps 2 first: a drawn --steps comes later and wins (its refused values too).
    argv = ["export", "--steps", "2", "--quiet", *_resolve(argv, inputs)]
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="fuzz-work-") as work:
        work = Path(work)
        os.chdir(work)
        try:
            code, out, err = _run(argv)
        finally:
            os.chdir(cwd)
        written, files = _files_under(work)
        resolved = work.resolve()
    _record("export", code, argv, err)
    if code == 2:
        assert written == set(), f"{argv}: refused but wrote {sorted(written)}"
        assert len(err.strip().splitlines()) == 1, f"{argv}: {err!r}"
    elif code == 0 and "--help" not in argv and "-h" not in argv:
        printed = {str((work / p).resolve().relative_to(resolved)) for p in out.splitlines()}
        assert printed == files, f"{argv}: printed {sorted(printed)}, wrote {sorted(files)}"


def _record(command: str, code, argv, err) -> None:
    assert code in (0, 2), f"{argv}: exit code {code!r}\n{err}"
    outcome = "passed" if code == 0 else "refused"
    OUTCOMES[f"{command} {outcome}"] += 1
    event(outcome)


@pytest.fixture
def no_event_loop(monkeypatch):
    """The window command shows nothing: ``run_window`` returns 0 at once."""
    from explorer.app import application

    shown = []
    monkeypatch.setattr(application, "run_window", lambda session, **_: shown.append(session) or 0)
    return shown


def _check_window(argv: list[str], inputs: Path) -> None:
    argv = _resolve(argv, inputs)
    if argv[:1] in (["export"], ["bench"]):  # the window's options, not another command
        argv = ["--play", *argv]
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="fuzz-work-") as work:
        os.chdir(work)
        try:
            code, _out, err = _run(argv)
        finally:
            os.chdir(cwd)
        assert os.listdir(work) == [], f"{argv}: the window command wrote a file"
    _record("window", code, argv, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, f"{argv}: {err!r}"


FUZZ_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": True,
}


@settings(max_examples=SMALL_BUDGET, **FUZZ_SETTINGS)
@given(argv=argument_lists(export_parser()))
def test_export_options_exit_0_or_2_and_a_refusal_writes_nothing(argv, inputs, qapp):
    _check_export(argv, inputs)


@settings(max_examples=SMALL_BUDGET * 4, **FUZZ_SETTINGS)
@given(argv=argument_lists(window_parser()))
def test_window_options_exit_0_or_2(argv, inputs, no_event_loop):
    _check_window(argv, inputs)


@pytest.mark.fuzz
@settings(max_examples=LARGE_BUDGET, **{**FUZZ_SETTINGS, "derandomize": False})
@given(argv=argument_lists(export_parser()))
def test_export_options_fuzz_large(argv, inputs, qapp):
    _check_export(argv, inputs)


@pytest.mark.fuzz
@settings(max_examples=LARGE_BUDGET * 5, **{**FUZZ_SETTINGS, "derandomize": False})
@given(argv=argument_lists(window_parser()))
def test_window_options_fuzz_large(argv, inputs, no_event_loop):
    _check_window(argv, inputs)


def teardown_module():
    if OUTCOMES:
        print("\nCLI fuzz outcomes:", dict(sorted(OUTCOMES.items())))
