"""Scaling a view's plots for the back of a lecture room (presentation mode).

Text that follows the application font (widgets, pyqtgraph's tick labels, titles and
legends without a size of their own) grows with it: presentation mode scales that font.
:func:`scale_graphics` does the rest in every pyqtgraph scene inside a view: the line
widths of curves and lines, and the texts that carry a size of their own (a title set with
``size="11pt"``, an axis label with a ``font-size``, an explicit tick font). Each item's
own sizes and widths are kept on it the first time it is seen, so scaling again (or back to 1)
starts from them; a view calls it again after it rebuilt its items
(:meth:`~explorer.views.base.SessionView.set_scale`). What a view draws itself (the
Jacobian's cell numbers, the plane's markers) it scales in its own ``set_scale``.
"""

from __future__ import annotations

import re

import pyqtgraph as pg
from PyQt6.QtGui import QFont, QPen
from PyQt6.QtWidgets import QGraphicsTextItem, QWidget

from explorer.views.items.axes import SCALE_ATTRIBUTE

_SIZE = re.compile(r"^\s*([0-9.]+)\s*(pt|px)\s*$")
#: Attribute under which an item keeps its own (unscaled) values.
_BASE = "_explorer_unscaled"


def scaled_size(size: str | None, factor: float) -> str | None:
    """A CSS size (``"11pt"``, ``"14px"``) times ``factor``; None stays None."""
    if not size:
        return size
    match = _SIZE.match(str(size))
    if match is None:
        return size
    value, unit = float(match.group(1)), match.group(2)
    return f"{value * factor:.4g}{unit}"


def _base(item, make) -> dict:
    """The item's unscaled values (recorded by ``make()`` the first time)."""
    base = getattr(item, _BASE, None)
    if base is None:
        base = make()
        setattr(item, _BASE, base)
    return base


def _pen(pen, width: float, factor: float) -> QPen:
    """``pen`` (anything ``pg.mkPen`` takes: its colour and style are kept) of ``width``
    times ``factor`` (a cosmetic width of 0, one pixel, counts as 1), scaled widths
    rounded to whole pixels (the curves draw those on Qt's fast path)."""
    pen = QPen(pg.mkPen(pen))
    scaled = max(width, 1.0) * factor
    pen.setWidthF(float(max(1, round(scaled))) if factor != 1.0 else max(width, 1.0))
    return pen


def _width(pen) -> float:
    return 0.0 if pen is None else pg.mkPen(pen).widthF()


def _scale_axis(axis: pg.AxisItem, factor: float) -> None:
    base = _base(
        axis,
        lambda: {
            "tick_font": QFont(axis.style["tickFont"]) if axis.style["tickFont"] else None,
            "label_size": axis.labelStyle.get("font-size"),
            "label_font": QFont(axis.label.font()),
            "pen_width": axis.pen().widthF(),
        },
    )
    if base["tick_font"] is not None:
        font = QFont(base["tick_font"])
        font.setPointSizeF(base["tick_font"].pointSizeF() * factor)
        axis.setStyle(tickFont=font)
    if base["label_size"] is not None:
        style = {**axis.labelStyle, "font-size": scaled_size(base["label_size"], factor)}
        axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **style)
    else:  # the label's text takes the label item's own font
        font = QFont(base["label_font"])
        if font.pointSizeF() > 0:
            font.setPointSizeF(base["label_font"].pointSizeF() * factor)
            axis.label.setFont(font)
            axis._updateLabel()
    pen = QPen(axis.pen())
    pen.setWidthF(max(base["pen_width"], 1.0) * factor)
    axis.setPen(pen)
    axis.setTextPen(axis.textPen())  # keep the labels' own colour


def _scale_label(label: pg.LabelItem, factor: float) -> None:
    base = _base(label, lambda: {"size": label.opts.get("size"), "font": QFont(label.item.font())})
    if base["size"] is not None:
        label.setText(label.text, size=scaled_size(base["size"], factor))
    elif base["font"].pointSizeF() > 0:
        font = QFont(base["font"])
        font.setPointSizeF(base["font"].pointSizeF() * factor)
        label.item.setFont(font)
        label.setText(label.text)  # resize to the new font


def _scale_text(item: pg.TextItem, factor: float) -> None:
    base = _base(item, lambda: {"font": QFont(item.textItem.font())})
    font = QFont(base["font"])
    if font.pointSizeF() > 0:
        font.setPointSizeF(base["font"].pointSizeF() * factor)
    item.setFont(font)


def _has_pen(item) -> bool:
    """A line-drawing item with ``opts["pen"]`` and ``setPen`` (PlotDataItem, a bare
    PlotCurveItem, the curves' HistoryCurve); not a scatter's or bar graph's outlines,
    nor the curve inside a PlotDataItem (scaled through it)."""
    if isinstance(item, (pg.ScatterPlotItem, pg.BarGraphItem)):
        return False
    if isinstance(item.parentItem(), pg.PlotDataItem):
        return False
    opts = getattr(item, "opts", None)
    return isinstance(opts, dict) and "pen" in opts and callable(getattr(item, "setPen", None))


def _scale_lines(item, factor: float) -> None:
    base = _base(item, lambda: {"width": _width(item.opts.get("pen"))})
    pen = item.opts.get("pen")
    if pen is not None and pg.mkPen(pen).style() != 0:  # NoPen stays so
        item.setPen(_pen(pen, base["width"], factor))


def _scale_line(item: pg.InfiniteLine, factor: float) -> None:
    base = _base(item, lambda: {"width": item.pen.widthF()})
    item.setPen(_pen(item.pen, base["width"], factor))


#: pyqtgraph items whose text item is scaled with them.
_TEXT_OWNERS = (pg.LabelItem, pg.AxisItem, pg.TextItem)


def _scale_font(item: QGraphicsTextItem, factor: float) -> None:
    base = _base(item, lambda: {"font": QFont(item.font())})
    if base["font"].pointSizeF() > 0:
        font = QFont(base["font"])
        font.setPointSizeF(base["font"].pointSizeF() * factor)
        item.setFont(font)


def scale_graphics(root: QWidget, factor: float) -> None:
    """Scale line widths and sized texts of every pyqtgraph scene inside ``root``.

    Parameters
    ----------
    root : QWidget
        A view (its pyqtgraph ``GraphicsView`` children are found).
    factor : float
        1 gives every item its own values back.
    """
    views = root.findChildren(pg.GraphicsView)
    if isinstance(root, pg.GraphicsView):
        views.append(root)
    for view in views:
        scene = view.scene()
        if scene is None:
            continue
        for item in scene.items():
            if isinstance(item, pg.PlotItem):
                setattr(item, SCALE_ATTRIBUTE, factor)  # for titles set later
            elif isinstance(item, pg.AxisItem):
                _scale_axis(item, factor)
            elif isinstance(item, pg.LabelItem):
                _scale_label(item, factor)
            elif isinstance(item, pg.TextItem):
                _scale_text(item, factor)
            elif isinstance(item, pg.InfiniteLine):
                _scale_line(item, factor)
            elif isinstance(item, QGraphicsTextItem) and not isinstance(
                item.parentItem(), _TEXT_OWNERS
            ):
                _scale_font(item, factor)  # a plain text item (the plane's corner labels)
            elif _has_pen(item):
                _scale_lines(item, factor)
