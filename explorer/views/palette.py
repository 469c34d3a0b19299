"""Class colours and theme colours shared by every view.

Up to 8 classes use the Okabe–Ito palette, which stays distinguishable under the common
forms of colour blindness. Beyond 8, hues are spread around the circle in golden-ratio
steps, alternating between two relative luminances chosen so that every colour keeps a
contrast of at least :data:`MIN_CONTRAST` (WCAG 2.1's 3:1 for graphics) against both the
light and the dark background; neighbours differ in hue and in lightness.

Okabe–Ito's light colours (yellow, orange, sky blue) are below 3:1 on white: they are
meant for filled marks. For text and thin lines in a class colour, use
:func:`readable_class_colors`, which darkens (light theme) or lightens (dark theme) only
the colours that need it, keeping their hue.
"""

from __future__ import annotations

import colorsys
import functools
from dataclasses import dataclass

import numpy as np

# Okabe & Ito (2008), "Color Universal Design"; black is left out (it is the text colour),
# yellow moved last because it is the hardest to read on a light background.
OKABE_ITO = (
    (0xE6, 0x9F, 0x00),  # orange
    (0x56, 0xB4, 0xE9),  # sky blue
    (0x00, 0x9E, 0x73),  # bluish green
    (0xD5, 0x5E, 0x00),  # vermillion
    (0x00, 0x72, 0xB2),  # blue
    (0xCC, 0x79, 0xA7),  # reddish purple
    (0x99, 0x99, 0x99),  # grey
    (0xF0, 0xE4, 0x42),  # yellow
)


#: Minimum contrast ratio of a class colour against a background (WCAG 2.1, 1.4.11).
MIN_CONTRAST = 3.0
#: Relative luminances of the colours beyond Okabe–Ito. Both give at least 3:1 against
#: white (luminance <= 0.30) and against the dark background (luminance >= 0.146).
_BAND = (0.175, 0.27)
_SATURATION = 0.8


def relative_luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour ``(r, g, b)`` in 0..255."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def relative_luminances(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of each colour of ``rgb (..., 3)`` in 0..255, ``(...)``."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(a, b) -> float:
    """WCAG contrast ratio (1..21) between two sRGB colours."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _hls_rgb(hue: float, light: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue, light, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def _with_luminance(hue: float, saturation: float, target: float) -> tuple[int, int, int]:
    """The HLS colour of ``hue`` and ``saturation`` whose luminance is about ``target``.

    Luminance grows with HLS lightness, so a bisection on lightness finds it.
    """
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if relative_luminance(_hls_rgb(hue, mid, saturation)) < target:
            lo = mid
        else:
            hi = mid
    return _hls_rgb(hue, (lo + hi) / 2, saturation)


@functools.lru_cache(maxsize=16)
def class_colors(n_classes: int) -> np.ndarray:
    """Colours for ``n_classes`` classes, computed once per class count.

    Beyond 8 classes each colour is found by bisection on its luminance (~1 ms per call
    for 10 classes), and views ask every frame: the result is cached and read-only.

    Returns
    -------
    ndarray of uint8, shape (C, 3)
        RGB per class.
    """
    if n_classes <= len(OKABE_ITO):
        colors = np.array(OKABE_ITO[:n_classes], dtype=np.uint8)
    else:
        rows = []
        for k in range(n_classes):
            hue = (k * 0.618033988749895) % 1.0  # golden-ratio steps keep neighbours apart
            rows.append(_with_luminance(hue, _SATURATION, _BAND[k % 2]))
        colors = np.array(rows, dtype=np.uint8)
    colors.flags.writeable = False
    return colors


def readable_on(rgb, background, minimum: float = MIN_CONTRAST) -> tuple[int, int, int]:
    """``rgb`` with its HLS lightness moved just enough for ``minimum`` contrast.

    Darker on a light background, lighter on a dark one; hue and saturation are kept. A
    colour that already has the contrast is returned unchanged.
    """
    rgb = tuple(int(v) for v in rgb)
    if contrast_ratio(rgb, background) >= minimum:
        return rgb
    hue, light, saturation = colorsys.rgb_to_hls(*(v / 255.0 for v in rgb))
    darken = relative_luminance(background) > 0.18  # the side with the larger contrast range
    lo, hi = (0.0, light) if darken else (light, 1.0)
    for _ in range(30):  # the lightness nearest the original that still reads
        mid = (lo + hi) / 2
        ok = contrast_ratio(_hls_rgb(hue, mid, saturation), background) >= minimum
        if darken:
            lo, hi = (mid, hi) if ok else (lo, mid)
        else:
            lo, hi = (lo, mid) if ok else (mid, hi)
    return _hls_rgb(hue, lo if darken else hi, saturation)


def readable_class_colors(n_classes: int, theme: Theme) -> np.ndarray:
    """Class colours for text and thin lines on ``theme``'s background (>= 3:1 contrast).

    Returns
    -------
    ndarray of uint8, shape (C, 3)
    """
    colors = class_colors(n_classes)
    rows = [readable_on(c, theme.background) for c in colors]
    return np.array(rows, dtype=np.uint8)


def readable_color(rgb, background) -> tuple[int, int, int]:
    """``rgb`` darkened on light backgrounds so thin text in that colour stays readable
    (the plane's labels; a fixed factor, unlike :func:`readable_on`)."""
    c = np.asarray(rgb, dtype=np.float64)
    if sum(background) > 384:
        c = c * 0.72
    return tuple(int(v) for v in c)


def hex_color(rgb) -> str:
    """``(r, g, b)`` -> ``'#rrggbb'``."""
    r, g, b = (int(v) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Theme:
    """Colours of one appearance (light or dark) used by plots and text."""

    name: str
    background: tuple[int, int, int]
    foreground: tuple[int, int, int]
    grid: tuple[int, int, int]
    muted: tuple[int, int, int]


LIGHT = Theme("light", (255, 255, 255), (30, 30, 30), (210, 210, 210), (120, 120, 120))
DARK = Theme("dark", (30, 32, 36), (230, 230, 230), (70, 72, 78), (150, 150, 150))
