"""The per-sample table: every training sample's ``x``, ``z``, ``p``, loss and ``∂L/∂z``.

The numbers are the session's float64 :class:`~explorer.session.details.SampleTable`
under the chosen loss, at the display temperature; the columns are
:func:`explorer.session.sample_columns.sample_columns`, the same for the screen and for
the CSV that Ctrl+C and the context menu copy.

Speed: a virtual model. Qt asks only for the visible cells, and a cell is one array
lookup through the sort permutation: no widget or item per cell, so N = 100 000 costs
what N = 100 does on screen. Sorting is one ``argsort`` of the column. The float64 table
is a softmax of every point, with each point's loss and ``∂L/∂z`` (40-80 ms at
N = 80 000, C = 10 on the busy 2-core machine, and sorting by a column another ~20 ms), so
it is made only while the view can be seen, and while training plays at most every
:data:`READOUT_INTERVAL_S` or :data:`BUSY_SHARE` of the time, whichever is rarer (its
latest numbers always follow).
"""

from __future__ import annotations

from time import perf_counter

import numpy as np
from PyQt6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt
from PyQt6.QtGui import QBrush, QColor, QKeySequence
from PyQt6.QtWidgets import QAbstractItemView, QApplication, QLabel, QTableView, QVBoxLayout

from explorer.core import PROBABILISTIC_LOSSES
from explorer.session.changes import Change
from explorer.session.sample_columns import Column, columns_csv, sample_columns
from explorer.views.base import SessionView
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color, readable_color
from explorer.views.qt_helpers import (
    READOUT_INTERVAL_S,
    Throttle,
    follow_dock,
    format_number,
    on_screen,
)

#: Width of a column in pixels (room for "−0.0001234" and a sort arrow).
COLUMN_WIDTH = 82
#: Significant digits in the cells (the tooltip and the CSV have every digit).
DIGITS = 4
Role = Qt.ItemDataRole
#: A change made by a training step alone: its numbers may follow at the read-out rate.
STEP_CHANGES = Change.PARAMS | Change.HISTORY | Change.DIVERGED
#: While playing, the table takes at most this share of the time: after an update that
#: took ``t`` seconds the next waits ``t / BUSY_SHARE`` (at W3 the table would otherwise
#: take up to half of every second).
BUSY_SHARE = 1 / 8
COPY_ROWS_TEXT = "Copy Selected Rows as CSV"
COPY_ALL_TEXT = "Copy All Rows as CSV"


class SampleTableModel(QAbstractTableModel):
    """A read-only, sortable table over :class:`Column` arrays of ``Nt`` rows.

    Attributes
    ----------
    columns : list of Column
    order : ndarray of int64, shape (Nt,)
        Row ``r`` shows position ``order[r]`` of the columns' arrays.
    sort_key : tuple of (int, Qt.SortOrder) or None
        The column and direction of the sort (None: data order).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: list[Column] = []
        self.class_names: list[str] = []
        self.order = np.zeros(0, dtype=np.int64)
        self.sort_key: tuple[int, Qt.SortOrder] | None = None
        self._class_brushes: list[QBrush] = []

    def set_columns(self, columns: list[Column], class_names, text_colors) -> None:
        """Show ``columns`` (the same shape: values only; else a reset), sorted as before."""
        n = len(columns[0].values) if columns else 0
        same = [c.header for c in columns] == [c.header for c in self.columns]
        if not (same and n == len(self.order)):
            self.beginResetModel()
            self.columns, self.class_names = columns, [str(c) for c in class_names]
            self.order = np.arange(n, dtype=np.int64)
            self._class_brushes = [QBrush(QColor(hex_color(c))) for c in text_colors]
            self._sort()
            self.endResetModel()
            return
        self.columns = columns
        if self.sort_key is not None:
            self.layoutAboutToBeChanged.emit()
            self._sort()
            self.layoutChanged.emit()
        if n:
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, len(columns) - 1))

    def set_text_colors(self, text_colors) -> None:
        self._class_brushes = [QBrush(QColor(hex_color(c))) for c in text_colors]

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def value(self, row: int, col: int):
        """The number (or index, or class) at ``(row, col)`` as shown after sorting."""
        return self.columns[col].values[self.order[row]]

    def data(self, index, role=Role.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        v = column.values[self.order[index.row()]]
        if role == Role.DisplayRole:
            if column.kind == "class":
                return self.class_names[int(v)]
            return str(int(v)) if column.kind == "index" else format_number(float(v), DIGITS)
        if role == Role.ToolTipRole:
            shown = self.class_names[int(v)] if column.kind == "class" else repr(v.item())
            return f"{column.tip}: {shown}"
        if role == Role.TextAlignmentRole:
            align = (
                Qt.AlignmentFlag.AlignLeft
                if column.kind == "class"
                else Qt.AlignmentFlag.AlignRight
            )
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Role.ForegroundRole and column.kind == "class":
            return self._class_brushes[int(v)] if self._class_brushes else None
        return None

    def headerData(self, section, orientation, role=Role.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or section >= len(self.columns):
            return None  # no row numbers: the # column has the data index
        column = self.columns[section]
        if role == Role.DisplayRole:
            return column.header
        if role == Role.ToolTipRole:
            return column.tip + " (click to sort)"
        if role == Role.ForegroundRole and column.klass is not None and self._class_brushes:
            return self._class_brushes[column.klass]
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (stable: ties keep data order); ``column < 0``: data order."""
        self.layoutAboutToBeChanged.emit()
        self.sort_key = (int(column), order) if column >= 0 else None
        self._sort()
        self.layoutChanged.emit()

    def _sort(self) -> None:
        if self.sort_key is None or not self.columns:
            self.order = np.arange(len(self.order), dtype=np.int64)
            return
        col, direction = self.sort_key
        values = self.columns[col].values
        descending = direction == Qt.SortOrder.DescendingOrder
        self.order = np.argsort(-values if descending else values, kind="stable")

    def row_of(self, position: int) -> int | None:
        """The row showing ``position`` of the arrays, or None."""
        rows = np.flatnonzero(self.order == position)
        return int(rows[0]) if len(rows) else None


class SamplesView(SessionView):
    """Every training sample's numbers under the chosen loss, sortable; a click selects.

    Attributes
    ----------
    model : SampleTableModel
    table : QTableView
    """

    view_id = "samples"
    title = "Per-sample table"

    def __init__(self, session, parent=None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self._dirty = True
        self._syncing = False
        self._positions = np.zeros(0, dtype=np.int64)  # train position per data index
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.model = SampleTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        # Data order until a heading is clicked (enabling sorting sorts by the indicator).
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.horizontalHeader().setDefaultSectionSize(COLUMN_WIDTH)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setToolTip(
            "Every training sample's numbers under the chosen loss. Click a heading to sort,\n"
            "click a row to select its sample; Ctrl+C copies the selected rows as CSV"
        )
        self.table.selectionModel().currentRowChanged.connect(self._row_clicked)
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)
        self._throttle = Throttle(self._update, self, READOUT_INTERVAL_S)
        self.rebuild()

    # ------------------------------------------------------------------ updating
    def rebuild(self) -> None:
        data = self.session.data
        self._positions = np.full(data.n_points, -1, dtype=np.int64)
        self._positions[data.train_index] = np.arange(len(data.train_index))
        self._dirty = True

    def update_view(self, changes: Change) -> None:
        if changes & ~Change.SELECTION:
            self._dirty = True
            if on_screen(self):
                self._throttle.request(hold=changes in STEP_CHANGES)
            return
        self._show_selection()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        follow_dock(self, self._update_if_seen)
        self._update_if_seen()

    def _update_if_seen(self) -> None:
        if self._dirty and on_screen(self):
            self._throttle.now()

    def flush(self) -> None:
        """Bring the table up to date now even if hidden (tests, export)."""
        if self._dirty or self._throttle.pending:
            self._throttle.now()

    def _update(self) -> None:
        started = perf_counter()
        self._fill()
        took = perf_counter() - started
        self._throttle.interval_s = max(READOUT_INTERVAL_S, took / BUSY_SHARE)

    def _fill(self) -> None:
        s = self.session
        self._dirty = False
        data = s.data
        table = s.train_table()
        loss = s.config.loss
        columns = sample_columns(
            table, data.y[table.index], data.class_names, loss in PROBABILISTIC_LOSSES
        )
        self.model.set_columns(columns, data.class_names, self._text_colors())
        T = s.temperature
        at = "" if T == 1.0 else f", scores divided by the temperature {format_number(T)}"
        self.caption.setText(
            f"{len(table.index):,} training samples under {loss.replace('_', '-')}{at}. "
            "Click a heading to sort, a row to select; Ctrl+C or right-click copies as CSV."
        )
        self._show_selection()

    def _text_colors(self):
        colors = class_colors(self.session.data.n_classes)
        return [readable_color(c, self.theme.background) for c in colors]

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.model.set_text_colors(self._text_colors())
        self.refresh(Change.SESSION)

    # ------------------------------------------------------------------ selection
    def _row_clicked(self, current, previous) -> None:
        if self._syncing or not current.isValid():
            return
        i = int(self.model.value(current.row(), 0))
        if i != self.session.selected:
            self.session.select(i)
            self.message.emit(f"Selected sample #{i}")

    def _show_selection(self) -> None:
        """Select the row of the session's selected sample (none for a test sample)."""
        i = self.session.selected
        pos = -1 if i is None or not 0 <= i < len(self._positions) else self._positions[i]
        row = self.model.row_of(int(pos)) if pos >= 0 else None
        selection = self.table.selectionModel()
        current = self.table.currentIndex()
        if row is not None and current.isValid() and current.row() == row:
            return
        self._syncing = True
        try:
            if row is None:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
            else:
                index = self.model.index(row, 0)
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                selection.setCurrentIndex(index, flags)
                self.table.scrollTo(index)
        finally:
            self._syncing = False

    # ------------------------------------------------------------------ copying
    def selected_rows(self) -> np.ndarray:
        """Positions (into the session's training arrays) of the selected rows, in the
        order shown, ``int64 (k,)``."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return self.model.order[np.array(rows, dtype=np.int64)]

    def csv_text(self, all_rows: bool = False) -> str:
        """The selected rows (or every row, in the order shown) as CSV with a header."""
        self.flush()
        rows = self.model.order if all_rows else self.selected_rows()
        return columns_csv(self.model.columns, rows, self.model.class_names)

    def copy_csv(self, all_rows: bool = False) -> str:
        """Put :meth:`csv_text` on the clipboard; returns it (a wait cursor meanwhile:
        all of 100 000 rows take seconds)."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            text = self.csv_text(all_rows)
        finally:
            QApplication.restoreOverrideCursor()
        QApplication.clipboard().setText(text)
        n = text.count("\n") - 1
        self.message.emit(f"Copied {n:,} row{'s' if n != 1 else ''} as CSV")
        return text

    def menu_entries(self) -> list[tuple[str, str, object]]:
        """(text, tooltip, handler) of this view's own context-menu entries."""
        return [
            (COPY_ROWS_TEXT, "The selected samples' rows, every digit", self.copy_csv),
            (COPY_ALL_TEXT, "Every row in the order shown", lambda: self.copy_csv(True)),
        ]

    def eventFilter(self, obj, event):
        key = obj is self.table and event.type() == event.Type.KeyPress
        if key and event.matches(QKeySequence.StandardKey.Copy):
            self.copy_csv()
            return True
        return False
