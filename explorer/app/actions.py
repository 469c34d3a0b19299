"""Every menu and toolbar command, declared once: id, text, shortcut, tooltip, menu.

The main window turns each row into a ``QAction`` and connects it to the handler of the
same id; Help → Keyboard shortcuts lists this table, so the list never goes stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class ActionSpec:
    """One command of the application."""

    id: str
    text: str
    menu: str
    shortcut: str = ""
    tip: str = ""
    checkable: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new", "&New Session", "File", "Ctrl+N", "Start a new session on the default data"),
    ActionSpec("open", "&Open Session…", "File", "Ctrl+O", "Open a saved session file"),
    ActionSpec("save", "&Save Session", "File", "Ctrl+S", "Save the session (data, history)"),
    ActionSpec("save_as", "Save Session &As…", "File", "Ctrl+Shift+S", "Save to a new file"),
    ActionSpec("import_csv", "&Import CSV…", "File", "Ctrl+I", "Load x1,x2,label points"),
    ActionSpec("export_csv", "Export Data as CSV…", "File", "", "Write the points to a CSV file"),
    ActionSpec(
        "export_parameters",
        "Export &Parameters…",
        "File",
        "",
        "Write W, b and their gradients as CSV or JSON (by the file's suffix), every digit",
    ),
    ActionSpec(
        "export_metrics",
        "Export &Metrics…",
        "File",
        "",
        "Write every step's loss and accuracy as CSV or JSON (by the file's suffix)",
    ),
    ActionSpec("export", "&Export Image…", "File", "Ctrl+E", "Export a view or the window"),
    ActionSpec(
        "record_gif",
        "&Record Animation…",
        "File",
        "Ctrl+R",
        "Record training: GIF, MP4, WebM, APNG, WebP or PDF",
    ),
    ActionSpec("quit", "&Quit", "File", "Ctrl+Q", "Quit Softmax Explorer"),
    # Undo and Redo: their texts name the action and their keys are the platform's
    # (explorer/app/undo.py sets both).
    ActionSpec("undo", "&Undo", "Edit", "Ctrl+Z", "Undo the last change of the session"),
    ActionSpec("redo", "&Redo", "Edit", "Ctrl+Shift+Z", "Redo the last undone change"),
    ActionSpec(
        "edit_mode",
        "&Edit Points",
        "Edit",
        "E",
        "Click to add a point of the chosen class, drag to move, right-click to delete",
        checkable=True,
    ),
    ActionSpec("deselect", "&Clear Selection", "Edit", "Esc", "Select no sample"),
    ActionSpec("copy_image", "&Copy Window Image", "Edit", "Ctrl+Shift+C", "Copy to clipboard"),
    ActionSpec(
        "copy_latex",
        "Copy Derivation as &LaTeX",
        "Edit",
        "",
        "Copy the inspector's equations with the selected sample's numbers (needs amsmath)",
    ),
    ActionSpec(
        "copy_parameters_latex",
        "Copy &Parameters as LaTeX",
        "Edit",
        "",
        "Copy W, b and their gradients as LaTeX matrices (needs amsmath)",
    ),
    ActionSpec("step", "&Step", "Train", "Space", "Take the steps of one frame"),
    ActionSpec("step_back", "Step &Back", "Train", "Backspace", "Go back one step in history"),
    ActionSpec("play", "&Play", "Train", "P", "Train continuously; press again to pause", True),
    ActionSpec("reset", "&Reset", "Train", "Ctrl+Shift+R", "New initial weights, keep the data"),
    ActionSpec("regenerate", "Re&generate Data", "Train", "Ctrl+G", "Draw new data (next seed)"),
    ActionSpec(
        "last_config",
        "Use Pre&vious Configuration",
        "Train",
        "",
        "Apply the configuration the window had when it was last closed",
    ),
    ActionSpec("to_start", "Go to &First Step", "Train", "Home", "Show step 0"),
    ActionSpec("to_end", "Go to &Last Step", "Train", "End", "Show the newest step"),
    ActionSpec(
        "compare", "&Compare…", "Train", "Ctrl+K", "Train a second run side by side with this one"
    ),
    ActionSpec("leave_compare", "Leave Compare &Mode", "Train", "", "Show this run alone again"),
    ActionSpec("dark", "&Dark Appearance", "View", "Ctrl+D", "Switch light/dark", True),
    ActionSpec("reset_zoom", "Reset &Zoom", "View", "Ctrl+0", "Fit the plane to the data"),
    ActionSpec("reset_layout", "Reset &Layout", "View", "", "Put every panel back in place"),
    ActionSpec(
        "present",
        "&Presentation Mode",
        "View",
        "F5",
        "Full screen, large text, the chosen layout's views; F6 shows the configuration, "
        "Esc leaves",
    ),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", "Help", "F1", "List every shortcut"),
    ActionSpec("about", "&About Softmax Explorer", "Help", "", "Version and credits"),
)


def create_actions(parent) -> dict[str, QAction]:
    """Create one ``QAction`` per :data:`ACTIONS` row, keyed by id."""
    actions = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
        tip = spec.tip + (f" ({spec.shortcut})" if spec.shortcut else "")
        action.setToolTip(tip)
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        action.setObjectName(f"action_{spec.id}")
        actions[spec.id] = action
    return actions


def shortcuts_html() -> str:
    """An HTML table of every command with a shortcut, grouped by menu."""
    rows = []
    for spec in ACTIONS:
        if spec.shortcut:
            text = spec.text.replace("&", "").rstrip("…")
            rows.append(
                f"<tr><td><b>{spec.shortcut}</b></td><td>{text}</td><td>{spec.menu}</td></tr>"
            )
    return (
        "<table cellspacing='6'><tr><th align='left'>Key</th><th align='left'>Command</th>"
        "<th align='left'>Menu</th></tr>" + "".join(rows) + "</table>"
        "<p>Space, P, Backspace, Home, End, E and Esc work wherever the focus is, unless a "
        "text field is being edited (it is tinted then): Enter or Esc ends the edit.</p>"
    )
