"""Status-bar messages never end mid-word: a long one is cut after a whole word with "…",
its whole text in the tooltip."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.app.notices import ELLIPSIS, elide_words, wrap_words


def chars(text: str) -> float:
    """A fake font: every character 7 units wide."""
    return 7.0 * len(text)


def test_a_text_that_fits_is_kept():
    assert elide_words("Wrote a.png", 1000, chars) == "Wrote a.png"


def test_a_long_text_ends_after_a_whole_word():
    text = "Training diverged at step 7; Lower the learning rate 1e+06 and press Step."
    shown = elide_words(text, 7 * 56, chars)
    assert shown == "Training diverged at step 7; Lower the learning rate…"
    assert chars(shown) <= 7 * 56


def test_punctuation_before_the_cut_is_dropped():
    assert elide_words("One, two, three four", 7 * 10, chars) == "One, two…"


def test_a_first_word_too_long_shows_only_the_ellipsis():
    assert elide_words("Supercalifragilistic word", 7 * 5, chars) == ELLIPSIS


def test_wrapping_breaks_at_spaces_and_elides_the_last_line():
    text = "Training diverged at step 7; Lower the learning rate 1e+06 and press Step."
    assert wrap_words(text, 7 * 40, chars, 2) == [
        "Training diverged at step 7; Lower the",
        "learning rate 1e+06 and press Step.",
    ]
    assert wrap_words(text, 7 * 30, chars, 2) == [
        "Training diverged at step 7;",
        "Lower the learning rate 1e+06…",
    ]
    assert wrap_words("short", 7 * 30, chars, 2) == ["short"]
    assert wrap_words("", 7 * 30, chars, 2) == [""]


words = st.lists(st.text("abcdefghij.,;:1+-", min_size=1, max_size=12), min_size=1, max_size=30)


@given(words, st.integers(0, 1500))
def test_the_shown_text_is_whole_words_that_fit(parts, width):
    text = " ".join(parts)
    shown = elide_words(text, width, chars)
    if shown == text:
        assert chars(text) <= width
        return
    assert shown.endswith(ELLIPSIS)
    kept = shown[: -len(ELLIPSIS)]
    assert chars(shown) <= width or kept == ""
    # the kept words are the text's first words, every one of them whole
    kept_words = kept.split(" ") if kept else []
    for k, word in enumerate(kept_words[:-1]):
        assert word == parts[k]
    if kept_words:
        last = parts[len(kept_words) - 1]
        assert last.startswith(kept_words[-1]) and last.rstrip(" .,;:") == kept_words[-1]


@given(words, st.integers(1, 1500), st.integers(1, 3))
def test_wrapped_lines_hold_the_words_in_order_and_fit(parts, width, lines):
    text = " ".join(parts)
    out = wrap_words(text, width, chars, lines)
    assert 1 <= len(out) <= lines
    joined = " ".join(out)
    if joined == text:
        return
    assert out[-1].endswith(ELLIPSIS)
    # every line but the last holds whole words, in order, from the start of the text
    head = " ".join(out[:-1])
    assert text.startswith(head)
    assert len(head) == 0 or text[len(head)] == " "


# ------------------------------------------------------------------------ the window
@pytest.fixture
def window(qtbot):
    from explorer.app.main_window import MainWindow
    from explorer.session.session import Session

    w = MainWindow(Session())
    w.resize(1400, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.file_actions.modified = False  # closing asks nothing
    w.close()
    w.deleteLater()


def test_the_divergence_notice_at_1400_px_ends_on_a_word_with_the_whole_text_in_its_tip(
    window, qtbot
):
    window.session.configure(window.session.config.replace(lr=1e6))
    window.session.step(5)
    assert window.session.diverged
    qtbot.wait(300)  # the read-outs beside the notice
    bar = window.statusBar()
    text = bar.currentMessage()
    assert text.startswith("Training diverged") and len(text) > 100
    label = bar.notice
    assert bar.currentMessage() == text
    lines = label.shown_lines()
    assert 1 <= len(lines) <= 2
    for line in lines:
        assert label.fontMetrics().horizontalAdvance(line) <= label.contentsRect().width()
    if " ".join(lines) != text:
        assert lines[-1].endswith(ELLIPSIS)
        assert text.startswith(" ".join(lines)[:-1].rstrip(" .,;:"))
        assert label.toolTip() == text
    # narrow: the text is cut at a word with its whole text in the tooltip
    window.resize(700, 800)
    qtbot.wait(20)
    lines = label.shown_lines()
    assert len(lines) == 2 and lines[-1].endswith(ELLIPSIS)
    last_word = lines[-1][:-1].split(" ")[-1]
    assert last_word in {word.rstrip(" .,;:") for word in text.split(" ")}  # a whole word
    assert label.toolTip() == text
    # wide enough, the whole text and no tooltip
    window.resize(2600, 800)
    qtbot.wait(20)
    assert label.shown_lines() == [text] and label.toolTip() == ""


def test_a_timed_message_goes_away(window, qtbot):
    window.show_message("Wrote a.png", 30)
    assert window.statusBar().currentMessage() == "Wrote a.png"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=2000)
