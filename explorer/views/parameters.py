"""W and b as an editable table, with the batch gradients ∂L/∂W, ∂L/∂b below or beside them.

Rows are the classes, columns the feature names then ``b``; the gradient table has the same
columns and scrolls with the parameter table, so every gradient sits under (or, in a
short dock, level with) its parameter. Up to :data:`FIT_CLASSES` classes each table is as
tall as its rows: the two stand one above the other when the view is tall enough for both,
side by side otherwise, never with a row cut off.
Both are Qt item models over cached arrays: an update stores the session's arrays and
emits one ``dataChanged`` for the whole range, so Qt repaints only the visible cells and an
editor the user has open is left alone. The view never calls ``setData`` itself, so a
model→view update can never come back as a view→model edit.
"""

from __future__ import annotations

import html
import math

import numpy as np
from PyQt6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color
from explorer.views.qt_helpers import follow_dock, format_number, on_screen

#: Largest magnitude accepted when a parameter is typed in.
MAX_ABS_VALUE = 1e6
#: Significant digits shown in the cells (the tooltip and the editor show every digit).
DIGITS = 4
COLUMN_WIDTH = 92
ROW_HEIGHT = 22
#: Up to this many classes the tables show every row (they are as tall as their rows).
FIT_CLASSES = 5
#: Above it, each table shows at least this many rows and scrolls.
MIN_ROWS = 3

Role = Qt.ItemDataRole


def parse_value(text: str) -> tuple[float | None, str]:
    """Read a typed parameter value.

    Returns
    -------
    (value, reason)
        ``value`` is a finite float with ``|value| <= MAX_ABS_VALUE``, or ``None`` and
        ``reason`` says why the text was refused.
    """
    cleaned = str(text).strip().replace("−", "-").replace("\u2009", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None, f"“{str(text).strip()}” is not a number"
    if math.isnan(value):
        return None, "NaN is not a parameter value"
    if math.isinf(value):
        return None, "an infinite parameter is not allowed"
    if abs(value) > MAX_ABS_VALUE:
        return None, f"|value| must be at most {MAX_ABS_VALUE:g}"
    return value, ""


class _KeepEditDelegate(QStyledItemDelegate):
    """Fills an editor once: later model updates (training) must not overwrite typing."""

    def setEditorData(self, editor, index):
        if editor.property("filled"):
            return
        super().setEditorData(editor, index)
        editor.setProperty("filled", True)


class MatrixModel(QAbstractTableModel):
    """A (C, D + 1) table: ``W`` then ``b`` (or ``dW`` then ``db``), one row per class.

    Parameters
    ----------
    editable : bool
        Whether cells can be edited; an edit is passed to ``on_edit(row, col, value)``.
    """

    def __init__(self, editable: bool, on_edit=None, parent=None):
        super().__init__(parent)
        self.editable = editable
        self.on_edit = on_edit
        self.values = np.zeros((0, 0))
        self.row_names: list[str] = []
        self.column_names: list[str] = []
        self.colors: list[QColor] = []
        self.swatches: list[QIcon] = []
        self.foreground: QBrush | None = None
        self.background: QBrush | None = None

    # shape changes (data, features, classes)
    def reset(self, values: np.ndarray, row_names, column_names, colors) -> None:
        self.beginResetModel()
        self.values = np.array(values, dtype=np.float64)
        self.row_names = [str(n) for n in row_names]
        self.column_names = [str(n) for n in column_names]
        self.colors = [QColor(hex_color(c)) for c in colors]
        self.swatches = []
        for color in self.colors:
            pixmap = QPixmap(10, 10)
            pixmap.fill(color)
            self.swatches.append(QIcon(pixmap))
        self.endResetModel()

    # values only: one signal for the whole table
    def update_values(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        if values.shape != self.values.shape:
            colors = [c.getRgb()[:3] for c in self.colors]
            self.reset(values, self.row_names, self.column_names, colors)
            return
        self.values[...] = values
        if values.size:
            self.dataChanged.emit(
                self.index(0, 0), self.index(values.shape[0] - 1, values.shape[1] - 1)
            )

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.values.shape[0]

    def columnCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.values.shape[1]

    def data(self, index, role=Role.DisplayRole):
        if not index.isValid():
            return None
        v = float(self.values[index.row(), index.column()])
        if role == Role.DisplayRole:
            return format_number(v, DIGITS)
        if role == Role.EditRole:
            return format_number(v, 0)
        if role == Role.ToolTipRole:
            what = self.column_names[index.column()]
            return f"{self.row_names[index.row()]}, {what}: {format_number(v, 0)}"
        if role == Role.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Role.ForegroundRole:
            return self.foreground
        if role == Role.BackgroundRole:
            return self.background
        return None

    def headerData(self, section, orientation, role=Role.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Role.DisplayRole and section < len(self.column_names):
                return self.column_names[section]
            return None
        if section >= len(self.row_names):
            return None
        if role == Role.DisplayRole:
            return self.row_names[section]
        if role == Role.DecorationRole:
            return self.swatches[section]
        if role == Role.ForegroundRole:
            return QBrush(self.colors[section].darker(115))
        if role == Role.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Role.ToolTipRole:
            return f"class {self.row_names[section]}"
        return None

    def flags(self, index):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if self.editable else base

    def setData(self, index, value, role=Role.EditRole):
        if not (self.editable and index.isValid() and role == Role.EditRole):
            return False
        # The edit goes to the session; the table shows the session's value when it emits.
        return bool(self.on_edit and self.on_edit(index.row(), index.column(), value))


class ParametersView(SessionView):
    """Editable ``W`` and ``b`` with the batch gradients below them.

    Signals
    -------
    message(str)
        Why a typed value was refused (the main window shows it in the status bar).

    Attributes
    ----------
    params_model, grads_model : MatrixModel
        Values ``(C, D + 1)``: ``[W | b]`` and ``[dW | db]`` as float64.
    params_table, grads_table : QTableView
    """

    view_id = "parameters"
    title = "Parameters"
    #: W, b and the batch gradients do not depend on the selection or the temperature.
    LISTENS_TO = ~(Change.SELECTION | Change.DISPLAY)

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self._dirty = True
        self._shape = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.params_label = QLabel()
        self.params_label.setToolTip("Weights and biases at the step shown; double-click to edit")
        self.params_model = MatrixModel(True, self._edit, self)
        self.params_table = self._make_table(self.params_model)
        self.params_table.setToolTip(
            "W (one column per feature) and b. Double-click a cell and type a number to change"
            " the model; training continues from the edited values."
        )
        self.grads_label = QLabel()
        self.grads_label.setToolTip("Gradient of the batch loss at the step shown (read-only)")
        self.grads_model = MatrixModel(False, None, self)
        self.grads_table = self._make_table(self.grads_model)
        self.grads_table.setToolTip(
            "∂L/∂W and ∂L/∂b of the mean loss over the training set, under each parameter."
            " A step of gradient descent moves each parameter against its gradient."
        )
        # Each table with its title; the two one above the other, or side by side when the
        # view is too short for that (see _arrange). Leftover space goes below.
        self.tables_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.tables_layout.setSpacing(6)
        for label, table in (
            (self.params_label, self.params_table),
            (self.grads_label, self.grads_table),
        ):
            # a long title is clipped rather than widening the dock
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(label)
            column.addWidget(table)
            self.tables_layout.addLayout(column, 1)
        layout.addLayout(self.tables_layout)
        layout.addStretch(1)
        # One horizontal position for both tables, so a gradient stays under its parameter.
        a = self.params_table.horizontalScrollBar()
        b = self.grads_table.horizontalScrollBar()
        a.valueChanged.connect(b.setValue)
        b.valueChanged.connect(a.setValue)
        self._apply_theme()
        self.refresh(Change.SESSION)
        self._arrange()

    def _make_table(self, model: MatrixModel) -> QTableView:
        table = QTableView(self)
        table.setModel(model)
        table.setItemDelegate(_KeepEditDelegate(table))
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            if model.editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        h = table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        h.setDefaultSectionSize(COLUMN_WIDTH)
        v = table.verticalHeader()
        v.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        v.setDefaultSectionSize(ROW_HEIGHT)
        v.setMinimumWidth(70)
        table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        return table

    # ---------------------------------------------------------------- updating
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(Change.SESSION)

    def _apply_theme(self) -> None:
        t = self.theme
        self.params_model.foreground = QBrush(QColor(*t.foreground))
        self.grads_model.foreground = QBrush(QColor(*t.muted))
        shade = tuple(int(0.93 * c + 0.07 * m) for c, m in zip(t.background, t.muted, strict=True))
        self.grads_model.background = QBrush(QColor(*shade))
        self.params_model.background = None

    def rebuild(self) -> None:
        self._shape = None
        self._dirty = True

    def update_view(self, changes: Change) -> None:
        self._dirty = True
        self._update_if_seen()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        follow_dock(self, self._update_if_seen)
        self._update_if_seen()

    def _update_if_seen(self) -> None:
        # the batch gradients cost a pass over the data: only for someone looking
        if self._dirty and on_screen(self):
            self._update()

    def flush(self) -> None:
        """Bring the tables up to date now even if the view is hidden (tests, export)."""
        if self._dirty:
            self._update()

    def export_widget(self) -> QWidget:
        self.flush()
        return self

    def _update(self) -> None:
        self._dirty = False
        s = self.session
        W = np.asarray(s.W, dtype=np.float64)
        b = np.asarray(s.b, dtype=np.float64)
        loss, dW, db = s.batch_grads()
        params = np.column_stack([W, b])
        grads = np.column_stack([np.asarray(dW, np.float64), np.asarray(db, np.float64)])
        names = list(s.feature_map.names)
        shape = (params.shape, tuple(names), tuple(s.data.class_names))
        if shape != self._shape:
            self._shape = shape
            rows = list(s.data.class_names)
            colors = class_colors(len(rows))
            self.params_model.reset(params, rows, [*names, "b"], colors)
            self.grads_model.reset(grads, rows, [*names, "b"], colors)
            self._fit_height()
        else:
            self.params_model.update_values(params)
            self.grads_model.update_values(grads)
        C, D = W.shape
        self.params_label.setText(
            f"<b>Parameters</b> <i>W</i> ({C}×{D}) and <i>b</i> at step {s.step_index}"
            " — double-click a cell to edit"
        )
        self.grads_label.setText(
            f"<b>Gradients</b> ∂<i>L</i>/∂<i>W</i>, ∂<i>L</i>/∂<i>b</i> of the batch loss "
            f"<i>L</i> = {html.escape(format_number(loss, DIGITS))} (read-only)"
        )

    def _fit_height(self) -> None:
        """Arrange the tables for the view's size (they are as tall as their rows)."""
        self._arrange()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _table_height(self, table: QTableView, width: float, rows: int) -> int:
        """Height of ``table`` showing ``rows`` rows at ``width`` pixels (with its
        horizontal scroll bar if its columns do not fit)."""
        header = table.horizontalHeader().sizeHint().height()
        frame = 2 * table.frameWidth()
        columns = table.model().columnCount()
        content = table.verticalHeader().sizeHint().width() + columns * COLUMN_WIDTH + frame
        bar = table.horizontalScrollBar().sizeHint().height() if content > width else 0
        return header + rows * ROW_HEIGHT + frame + bar

    def _arrange(self) -> None:
        """Tables one above the other if both fit the height with all their rows, else
        side by side; each as tall as its rows (up to FIT_CLASSES classes, else at least
        MIN_ROWS rows and scrolling)."""
        tables = (self.params_table, self.grads_table)
        rows = tables[0].model().rowCount()
        if rows == 0:  # not filled yet (a hidden tab is filled when first seen): no room
            for table in tables:
                table.setMinimumHeight(0)
                table.setMaximumHeight(table.horizontalHeader().sizeHint().height())
            return
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right()
        spacing = self.tables_layout.spacing()
        label = self.params_label.sizeHint().height() + 2
        shown = rows if rows <= FIT_CLASSES else MIN_ROWS
        stacked = [self._table_height(t, width, shown) for t in tables]
        need = 2 * label + sum(stacked) + spacing + margins.top() + margins.bottom()
        side = need > self.height()
        direction = QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        if self.tables_layout.direction() != direction:
            self.tables_layout.setDirection(direction)
        table_width = (width - spacing) / 2 if side else width
        for table in tables:
            low = self._table_height(table, table_width, shown)
            high = self._table_height(table, table_width, rows)
            if (table.minimumHeight(), table.maximumHeight()) != (low, high):
                table.setMinimumHeight(low)
                table.setMaximumHeight(high)

    # ------------------------------------------------------------------ editing
    def _edit(self, row: int, col: int, text) -> bool:
        """A typed value for ``[W | b][row, col]``: validate, then hand it to the session."""
        value, reason = parse_value(text)
        name = f"{self.params_model.row_names[row]}, {self.params_model.column_names[col]}"
        if value is None:
            self.message.emit(f"Refused {name}: {reason}")
            return False
        s = self.session
        W = np.array(s.W, copy=True)
        b = np.array(s.b, copy=True)
        if col < W.shape[1]:
            W[row, col] = value
        else:
            b[row] = value
        try:
            s.set_params(W, b)
        except ValueError as exc:
            self.message.emit(f"Refused {name}: {exc}")
            return False
        self.message.emit(f"Set {name} to {format_number(value, 0)}")
        return True
