"""The window's text exports: Copy as LaTeX, Export Parameters…, Export Metrics….

Edit → Copy Derivation as LaTeX and the inspector's right-click *Copy as LaTeX* put the
inspector's equations for the chosen loss, with the selected sample's numbers at the
inspector's precision, on the clipboard (the status bar names the loss); Edit → Copy
Parameters as LaTeX and the Parameters view's *Copy as LaTeX* do the same for ``W``,
``b`` and their gradients. File → Export Parameters… and Export
Metrics… write CSV or JSON, chosen by the file's suffix. The texts come from
:mod:`explorer.app.numbers`, as ``softmax-explorer export``'s do.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtWidgets import QApplication, QFileDialog

from explorer.app import numbers
from explorer.core import cli_loss_name
from explorer.export.latex import DEFAULT_DIGITS

COPY_LATEX_TEXT = "Copy as LaTeX"
TABLE_FILTERS = {"csv": "CSV (*.csv)", "json": "JSON (*.json)"}
AMSMATH = r"paste below \usepackage{amsmath}"


class NumberActions:
    """The LaTeX and table commands of one :class:`~explorer.app.main_window.MainWindow`."""

    def __init__(self, window):
        self.window = window
        a = window.actions
        a["copy_latex"].triggered.connect(lambda: self.copy_inspector_latex())
        a["copy_parameters_latex"].triggered.connect(lambda: self.copy_parameters_latex())
        a["export_parameters"].triggered.connect(lambda: self.export_table("parameters"))
        a["export_metrics"].triggered.connect(lambda: self.export_table("metrics"))

    # ---------------------------------------------------------------- LaTeX
    def context_entries(self, view) -> list[tuple[str, str, object]]:
        """``(text, tooltip, handler)`` entries for the right-click menu of ``view``."""
        if view.view_id == "inspector":
            tip = "Put the derivation's equations, with these numbers, on the clipboard"
            return [(COPY_LATEX_TEXT, tip, self.copy_inspector_latex)]
        if view.view_id == "parameters":
            tip = "Put W, b and their gradients on the clipboard as LaTeX matrices"
            return [(COPY_LATEX_TEXT, tip, self.copy_parameters_latex)]
        own = getattr(view, "menu_entries", None)  # e.g. the per-sample table's CSV copies
        return own() if own is not None else []

    def inspector_text(self) -> str:
        """The inspector's LaTeX at its precision (4 digits, or every digit)."""
        inspector = self.window.views.get("inspector")
        digits = inspector.precision() if inspector is not None else DEFAULT_DIGITS
        return numbers.inspector_latex(self.window.session, digits)

    def copy_inspector_latex(self) -> str:
        text = self.inspector_text()
        QApplication.clipboard().setText(text)
        loss = cli_loss_name(self.window.session.config.loss)
        self.window.show_message(f"Copied the {loss} derivation as LaTeX ({AMSMATH})")
        return text

    def copy_parameters_latex(self) -> str:
        text = numbers.parameters_latex(self.window.session)
        QApplication.clipboard().setText(text)
        self.window.show_message(f"Copied W and b as LaTeX ({AMSMATH})")
        return text

    # --------------------------------------------------------------- tables
    def export_table(self, kind: str, path: str | None = None) -> Path | None:
        """Ask for a file (unless ``path``) and write the ``"parameters"`` or ``"metrics"``
        table there, as CSV or JSON by its suffix; None if cancelled or refused."""
        if path is None:
            self.window.player.pause()
            path, chosen = QFileDialog.getSaveFileName(
                self.window,
                f"Export {kind}",
                f"{kind}.csv",
                ";;".join(TABLE_FILTERS.values()),
            )
            if not path:
                return None
            if not Path(path).suffix:
                fmt = next((f for f, text in TABLE_FILTERS.items() if text == chosen), "csv")
                path += f".{fmt}"
        save = numbers.save_parameters if kind == "parameters" else numbers.save_metrics
        try:
            written = save(self.window.session, path)
        except (OSError, ValueError) as exc:
            self.window.show_error(f"Could not write {path}:\n{exc}")
            return None
        self.window.show_message(f"Wrote {written}")
        return written
