"""A heatmap of a small float matrix that renders into one persistent ``QImage``.

Speed: ``ImageItem.render`` makes a new ``QImage`` and runs its level/LUT machinery per
frame; here a frame is four ufunc calls and one ``np.take`` into a buffer that the
``QImage`` wraps for the item's whole life, painted as RGB32 (no blending) when opaque.
Anything derived from a cell's colour (the Jacobian's black or white numbers) is computed
once per lookup-table entry and then looked up per frame (:meth:`HeatmapItem.lookup`:
0.1 ms a frame less than computing it from the cells' colours).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtGui import QImage

from explorer.views.items.pyqtgraph_private import set_rendered_image


class HeatmapItem(pg.ImageItem):
    """An ``ImageItem`` for a small float matrix that renders into one persistent ``QImage``.

    ``ImageItem.render`` builds a new ``QImage`` per frame; here the values are mapped
    through the item's lookup table (set by the colour bar) into a ``uint32`` buffer that
    a ``QImage`` wraps for the item's whole life (no per-frame
    allocation). Index ``⌊(v − lo) · n / (hi − lo)⌋`` clipped to ``[0, n − 1]`` for an
    ``n``-entry table, as pyqtgraph's float path does.
    """

    def __init__(self):
        super().__init__(axisOrder="row-major")
        self._buffer: np.ndarray | None = None
        self._buffer_key: tuple | None = None
        self._qbuffer: QImage | None = None
        self._lut_key = None
        self._lut32 = np.zeros(0, dtype=np.uint32)
        self._opaque = False
        self._per_entry: tuple | None = None

    def _table(self) -> np.ndarray | None:
        lut = self.lut
        if lut is None or callable(lut):
            return None
        if lut is not self._lut_key:
            rgb = np.asarray(lut, dtype=np.uint32)
            alpha = rgb[:, 3] if rgb.shape[1] == 4 else np.uint32(255)
            self._lut32 = (alpha << 24) | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
            # An opaque table (the colour bar's is) paints ~4x faster as RGB32: no blending.
            self._opaque = bool(np.all(alpha == 255))
            self._lut_key = lut
        return self._lut32

    def _indices(self, values: np.ndarray, table: np.ndarray, levels) -> np.ndarray:
        """Lookup-table index of each value (the formula in the class docstring)."""
        lo, hi = float(levels[0]), float(levels[1])
        n = len(table)
        scaled = np.subtract(values, lo, dtype=np.float64)
        scaled *= n / (hi - lo)
        # fmax/fmin return the other operand for NaN: NaN -> index 0, ±inf -> the ends
        # (what nan_to_num then clip give, in two ufunc calls instead of a dozen).
        np.fmax(scaled, 0.0, out=scaled)
        np.fmin(scaled, n - 1, out=scaled)
        return scaled.astype(np.intp)

    def lookup(self, values: np.ndarray, per_entry) -> np.ndarray | None:
        """``per_entry(table)[i]`` for the table entry ``i`` each of ``values`` is painted
        in, same shape as ``values``; None until the item has a lookup table and levels.

        ``per_entry`` maps the ``uint32 (n,)`` table (``0xAARRGGBB``) to one value per
        entry; it is computed once per table, not per call.
        """
        table, levels = self._table(), self.levels
        if table is None or levels is None:
            return None
        cached = self._per_entry
        if cached is None or cached[0] is not self._lut_key or cached[1] is not per_entry:
            cached = self._per_entry = (self._lut_key, per_entry, np.asarray(per_entry(table)))
        return cached[2][self._indices(np.asarray(values), table, levels)]

    def render(self) -> None:
        image, table, levels = self.image, self._table(), self.levels
        if image is None or image.ndim != 2 or image.size == 0 or table is None or levels is None:
            super().render()
            return
        opaque = self._opaque
        key = (image.shape, opaque)
        if self._buffer is None or self._buffer_key != key:
            self._buffer = np.zeros(image.shape, dtype=np.uint32)
            fmt = QImage.Format.Format_RGB32 if opaque else QImage.Format.Format_ARGB32
            self._qbuffer = pg.functions.ndarray_to_qimage(self._buffer, fmt)
            self._buffer_key = key
        np.take(table, self._indices(image, table, levels), out=self._buffer)
        set_rendered_image(self, self._qbuffer)
