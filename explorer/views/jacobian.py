"""The softmax Jacobian ``J = ∂p/∂z = diag(p) − p pᵀ`` as a C×C heatmap (docs/maths.md).

Row ``j`` is the output ``p_j``, column ``k`` the logit ``z_k``: cell ``(j, k)`` is
``∂p_j/∂z_k``. The colour scale is fixed at ±1/4 because every entry obeys ``|J| ≤ 1/4``
(``p(1 − p) ≤ 1/4`` on the diagonal, ``p_j p_k ≤ 1/4`` off it): a fixed scale lets a student
compare samples — a confident sample's Jacobian is pale, meaning little gradient flows back
through the softmax — instead of every matrix being stretched to full saturation.

The matrix comes from the session (``sample_detail``, ``point_detail`` or ``mean_jacobian``);
the view only draws it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from explorer.core import HINGE_LOSSES, cli_loss_name
from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.items.axes import ClassAxisItem, cache_axes, still_plot, theme_axes
from explorer.views.items.cell_texts import CellTexts
from explorer.views.items.heatmap import HeatmapItem
from explorer.views.items.jacobian_texts import (
    COLORBAR_LABEL,
    COLUMN_LABEL,
    FALLBACK_TEXTS,
    HINGE_NOTE,
    HINGE_TITLE,
    MATRIX_TIP,
    ROW_LABEL,
    SATURATED_NOTE,
    SOURCES,
    format_value,
)
from explorer.views.items.rules import CellGrid
from explorer.views.items.viewport import repaint_changes_as_one_rect
from explorer.views.palette import (
    LIGHT,
    Theme,
    class_colors,
    hex_color,
    relative_luminance,
    relative_luminances,
)
from explorer.views.qt_helpers import choice_combo, signals_blocked, typographic_minus

#: Largest possible |J| entry; the fixed half-range of the colour scale.
J_LIMIT = 0.25
#: Values are written in the cells up to this many classes.
MAX_CLASSES_WITH_VALUES = 8
#: Below this every |entry| of J counts as zero: the softmax is saturated.
SATURATED = 1e-3
#: Blue (negative) – the panel's background – red (positive): the ends of ColorBrewer's
#: RdBu around the theme's own background, so a zero cell is the panel's colour.
NEGATIVE = (0x21, 0x66, 0xAC)
POSITIVE = (0xB2, 0x18, 0x2B)
#: Cell numbers are black or white, whichever reads better on the cell (>= 4.5:1).
DARK_TEXT = (0, 0, 0)
LIGHT_TEXT = (255, 255, 255)


def diverging_colormap(theme: Theme = LIGHT) -> pg.ColorMap:
    """Blue – ``theme``'s background – red, for values in ``[−J_LIMIT, J_LIMIT]``."""
    return pg.ColorMap(
        pos=np.array([0.0, 0.5, 1.0]),
        color=np.array([NEGATIVE, theme.background, POSITIVE], dtype=np.uint8),
    )


class JacobianView(SessionView):
    """Heatmap of the softmax Jacobian of one sample, the hovered point or the batch mean.

    Attributes
    ----------
    matrix : ndarray of float64, shape (C, C)
        Exactly the matrix drawn (``matrix[j, k] = ∂p_j/∂z_k``).
    source : str
        ``"selected"``, ``"hover"`` or ``"batch"`` (see :meth:`set_source`).
    shown : str
        What the matrix is of: ``"sample"``, ``"point"`` or ``"batch"``.
    source_title : str
        Plain-text title, e.g. ``"J for sample #12 (class B)"``.
    outside_gradient : bool
        Whether the loss is an SVM loss, whose gradient has no softmax in it: the matrix
        is then the softmax Jacobian of the scores, shown for comparison and labelled so.
    """

    view_id = "jacobian"
    title = "Softmax Jacobian"

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self.source = "selected"
        self.shown = "batch"
        self.source_title = ""
        #: Whether every entry of the matrix shown is below :data:`SATURATED`.
        self.saturated = False
        self.outside_gradient = False
        self._loss_shown = ""
        self.matrix = np.zeros((0, 0))
        self._hover: np.ndarray | None = None
        self._n_classes = -1
        #: The values in the cells (None above MAX_CLASSES_WITH_VALUES classes).
        self.cell_texts: CellTexts | None = None
        self._text_colors = (QColor(*DARK_TEXT), QColor(*LIGHT_TEXT))
        self._build()
        self.rebuild()
        self.update_view(Change.SESSION)

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        row = QHBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.title_label.setToolTip("Which Jacobian is shown")
        # A long title ("J for test sample #12345 (class B)") must not widen the dock:
        # it may be clipped in a 380-pixel right column.
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.source_combo = choice_combo(
            self,
            SOURCES,
            "Source of J: the selected sample; the point under the cursor while it is on the\n"
            "plane (otherwise the selected sample); or the mean of J over the training batch.",
            self.set_source,
        )
        row.addWidget(self.title_label, 1)
        row.addWidget(self.source_combo)
        layout.addLayout(row)
        self.note_label = QLabel(SATURATED_NOTE, self)
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(False)
        self.note_label.setToolTip(
            "Every entry of J is below 0.001. Where p is nearly one-hot, J = diag(p) − p pᵀ\n"
            "is nearly 0, so almost no gradient flows back through the softmax to the logits."
        )
        layout.addWidget(self.note_label)
        self.loss_label = QLabel(self)
        self.loss_label.setWordWrap(True)
        self.loss_label.setVisible(False)
        self.loss_label.setToolTip(
            "An SVM (hinge) loss has no softmax in it: its ∂L/∂z comes from the margins of\n"
            "the scores (see the inspector), so J does not carry its gradient. The matrix is\n"
            "what softmax would make of the same scores."
        )
        layout.addWidget(self.loss_label)

        self.graphics = pg.GraphicsLayoutWidget(self)
        repaint_changes_as_one_rect(self.graphics)
        self.graphics.setToolTip(MATRIX_TIP)
        layout.addWidget(self.graphics, 1)
        self.left_axis = ClassAxisItem("left")
        self.top_axis = ClassAxisItem("top")
        self.plot = self.graphics.addPlot(
            row=0, col=0, axisItems={"left": self.left_axis, "top": self.top_axis}
        )
        plot = self.plot
        plot.showAxis("top")
        plot.hideAxis("bottom")
        still_plot(plot)
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setAspectLocked(True)
        self.image = HeatmapItem()
        self.image.setAutoDownsample(False)
        plot.addItem(self.image)
        self.cell_grid = CellGrid()
        self.cell_grid.setZValue(4)  # above the heatmap, below the numbers
        plot.addItem(self.cell_grid, ignoreBounds=True)
        self.colorbar = pg.ColorBarItem(
            values=(-J_LIMIT, J_LIMIT),
            colorMap=diverging_colormap(self.theme),
            interactive=False,
            width=12,
            label=COLORBAR_LABEL,
        )
        self.colorbar.setToolTip(MATRIX_TIP)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        cache_axes(plot, self.colorbar)
        self._apply_theme()

    def _apply_theme(self) -> None:
        theme = self.theme
        self.graphics.setBackground(theme.background)
        self.colorbar.setColorMap(diverging_colormap(theme))
        self.cell_grid.set_color(QColor(*theme.grid))
        fg = hex_color(theme.foreground)
        frame = [self.colorbar.getAxis(side) for side in ("left", "top", "bottom")]
        theme_axes((self.left_axis, self.top_axis, self.colorbar.axis, *frame), theme)
        # setPen() recolours an axis label with the pen colour; labels use the text colour.
        self.plot.setLabel("left", ROW_LABEL, color=fg)
        self.plot.setLabel("top", COLUMN_LABEL, color=fg)
        self.colorbar.getAxis("left").setLabel(COLORBAR_LABEL, color=fg)

    # --------------------------------------------------------------- interface
    def set_source(self, name: str) -> None:
        """Show the ``"selected"`` sample's J, the ``"hover"`` point's, or the ``"batch"`` mean.

        ``"hover"`` follows the cursor while it is on the plane and falls back to the selected
        sample otherwise. Without a selection, ``"selected"`` shows the batch mean.
        """
        if name not in {key for key, _ in SOURCES}:
            raise ValueError(f"unknown Jacobian source {name!r}")
        self.source = name
        index = self.source_combo.findData(name)
        if index != self.source_combo.currentIndex():
            with signals_blocked(self.source_combo):
                self.source_combo.setCurrentIndex(index)
        self._show()

    def set_hover_point(self, xy) -> None:
        """The cursor's data coordinates on the plane, or ``None`` when it left the plane.

        Parameters
        ----------
        xy : array-like of shape (2,), QPointF, or None
        """
        if xy is None:
            point = None
        elif isinstance(xy, QPointF):
            point = np.array([xy.x(), xy.y()], dtype=np.float64)
        else:
            point = np.asarray(xy, dtype=np.float64).reshape(2)
            if not np.all(np.isfinite(point)):
                point = None
        had = self._hover is not None
        self._hover = point
        if self.source == "hover" and (point is not None or had):
            self._show()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(Change.SESSION)

    # ---------------------------------------------------------------- updating
    def rebuild(self) -> None:
        """Relabel the axes and recreate the cell texts for the current classes."""
        names = self.session.data.class_names
        C = len(names)
        self._n_classes = C
        colors = class_colors(C)
        self.left_axis.set_classes(names, colors)
        self.top_axis.set_classes(names, colors)
        self._rect = QRectF(0.0, 0.0, C, C)
        self.plot.getViewBox().setRange(
            xRange=(0.0, C), yRange=(0.0, C), padding=0.0, disableAutoRange=True
        )
        self.cell_grid.set_size(C)
        if self.cell_texts is not None:
            self.plot.removeItem(self.cell_texts)
            self.cell_texts = None
        if C <= MAX_CLASSES_WITH_VALUES:
            font = QFont()
            font.setPointSizeF((11.0 if C <= 3 else 9.5 if C <= 5 else 8.0) * self.scale)
            self.cell_texts = CellTexts(C, font, self._text_colors)
            self.cell_texts.setZValue(5)  # above the heatmap
            self.plot.addItem(self.cell_texts, ignoreBounds=True)

    def update_view(self, changes: Change) -> None:
        """Recompute the matrix from the session and redraw the heatmap in place."""
        if len(self.session.data.class_names) != self._n_classes:
            self.rebuild()
        self._show()

    def _choose(self) -> tuple[np.ndarray, str, str, str]:
        """(matrix, what, plain title, rich title) for the current source."""
        s = self.session
        data = s.data
        if self.source == "hover" and self._hover is not None:
            x, y = (typographic_minus(f"{v:.3g}") for v in self._hover)
            title = f"J at cursor ({x}, {y})"
            J = s.point_detail(self._hover).J
            return np.asarray(J, dtype=np.float64), "point", title, title
        i = s.selected
        if self.source == "batch" or i is None:
            n = len(data.train_index)
            title = f"mean J of {n} training samples"
            if self.source != "batch":
                title = "mean J (none selected)"
            # Exact when the cells show their values; above MAX_CLASSES_WITH_VALUES the
            # heatmap shows colours only, and float32 probabilities give the same colours.
            exact = self.cell_texts is not None
            return np.asarray(s.mean_jacobian(exact), dtype=np.float64), "batch", title, title
        label = int(data.y[i])
        name = data.class_names[label]
        kind = "test sample" if data.is_test[i] else "sample"
        color = hex_color(class_colors(len(data.class_names))[label])
        plain = f"J for {kind} #{i} (class {name})"
        rich = f"J for {kind} #{i} (class <b style='color:{color}'>{name}</b>)"
        return np.asarray(s.sample_detail(i).J, dtype=np.float64), "sample", plain, rich

    def _title_tip(self, what: str) -> str:
        if what != "batch":
            return "Which Jacobian is shown"
        n = len(self.session.data.train_index)
        return (
            f"The mean of J over the {n} training samples. Click a point or a bar to see "
            "one sample's J."
        )

    def _show_source_text(self) -> None:
        """The source box says what is drawn: a source that fell back says so."""
        combo = self.source_combo
        for k, (key, text) in enumerate(SOURCES):
            if key == self.source:
                text = FALLBACK_TEXTS.get((key, self.shown), text)
            if combo.itemText(k) != text:
                combo.setItemText(k, text)

    def _show(self) -> None:
        if self._n_classes < 0:
            return
        matrix, what, plain, rich = self._choose()
        self.matrix = matrix
        self.shown = what
        saturated = bool(matrix.size) and float(np.max(np.abs(matrix))) < SATURATED
        if saturated:
            plain += " — saturated softmax: every |J| < 0.001, the gradient through it vanishes"
        self._show_loss_note()
        if self.outside_gradient:
            plain += HINGE_TITLE.format(loss=cli_loss_name(self._loss_shown))
        self.source_title = plain
        if saturated != self.saturated:
            self.saturated = saturated
            self.note_label.setVisible(saturated)
        if rich != self.title_label.text():  # the title changes far less often than J
            self.title_label.setText(rich)
            self.title_label.setToolTip(self._title_tip(what))
        self._show_source_text()
        if self.image.image is None or self.image.image.shape != matrix.shape:
            self.image.setImage(
                matrix, autoLevels=False, levels=(-J_LIMIT, J_LIMIT), rect=self._rect
            )
        else:
            self.image.setImage(matrix, autoLevels=False)
        if self.cell_texts is not None:
            texts = [format_value(float(v)) for v in matrix.ravel()]
            self.cell_texts.set_values(texts, self._light_text(matrix).ravel())

    def _show_loss_note(self) -> None:
        """Label the matrix as outside the gradient under an SVM loss (on a change only)."""
        loss = str(self.session.config.loss)
        if loss == self._loss_shown:
            return
        self._loss_shown = loss
        self.outside_gradient = loss in HINGE_LOSSES
        if self.outside_gradient:
            self.loss_label.setText(HINGE_NOTE.format(loss=cli_loss_name(loss)))
        self.loss_label.setVisible(self.outside_gradient)

    def _light_text(self, matrix: np.ndarray) -> np.ndarray:
        """Where white text reads better than black on the cell's colour, ``bool (C, C)``."""
        light = self.image.lookup(matrix, white_reads_better)
        return np.abs(matrix) > 0.55 * J_LIMIT if light is None else light


def white_reads_better(table: np.ndarray) -> np.ndarray:
    """For each ``0xAARRGGBB`` colour of ``table (n,)``: whether white text has more
    contrast on it than black text, ``bool (n,)``."""
    rgb = np.stack([(table >> shift) & 0xFF for shift in (16, 8, 0)], axis=-1)
    lum = relative_luminances(rgb)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / (relative_luminance(DARK_TEXT) + 0.05)
    return on_white > on_black
