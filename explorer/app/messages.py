"""The words for what the session reports (it reports reasons; the app says them).

- :func:`divergence_text`: the status-bar line after training diverged;
- :func:`history_full_text`: training stopped at the maximum history length;
- :func:`configured_text`: what applying a configuration did ("" when nothing needs
  saying).

Qt-free, so the CLI uses the same words.
"""

from __future__ import annotations

from explorer.session.reports import Configured, Divergence, HistoryFull

#: How each implicated setting is named in the advice after a divergence.
_SETTING_NAMES = {"lr": "learning rate", "l2": "L2"}

_CONFIGURED_TEXTS = {
    Configured.NOTHING: "",
    Configured.TRAINING: "",
    Configured.FEATURES: "Features changed: training restarted at step 0",
    Configured.DATA: "Data changed: training restarted at step 0",
}


def divergence_text(d: Divergence) -> str:
    """What happened and what to do, e.g. ``"Training diverged at step 7 (loss became
    inf); the last finite state is kept. Lower the learning rate 1e+06 and press Step."``"""
    values = {"lr": d.lr, "l2": d.l2}
    causes = [f"{_SETTING_NAMES[name]} {values[name]:g}" for name in d.implicated]
    return (
        f"Training diverged at step {d.step} ({d.problem}); the last finite state is kept. "
        f"Lower the {' or the '.join(causes)} and press Step."
    )


def history_full_text(notice: HistoryFull) -> str:
    """Why training stopped at the end of history, and how to go on."""
    return (
        f"History is full ({notice.steps:,} steps): training stopped. "
        "Reset, or change a setting at an earlier step, to continue."
    )


def configured_text(outcome: Configured) -> str:
    """The status-bar note after :meth:`Session.configure` ("" when nothing needs saying)."""
    return _CONFIGURED_TEXTS[outcome]
