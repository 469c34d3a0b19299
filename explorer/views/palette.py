"""Class colours and theme colours shared by every view.

Up to 8 classes use the Okabe–Ito palette, which stays distinguishable under the common
forms of colour blindness. Beyond 8, colours are spread evenly around the hue circle in
the perceptually even-ish HSL space, alternating lightness so neighbours differ.
"""

from __future__ import annotations

import colorsys
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


def class_colors(n_classes: int) -> np.ndarray:
    """Colours for ``n_classes`` classes.

    Returns
    -------
    ndarray of uint8, shape (C, 3)
        RGB per class.
    """
    if n_classes <= len(OKABE_ITO):
        return np.array(OKABE_ITO[:n_classes], dtype=np.uint8)
    rows = []
    for k in range(n_classes):
        hue = (k * 0.618033988749895) % 1.0  # golden-ratio steps keep neighbours apart
        light = 0.45 if k % 2 == 0 else 0.6
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.75)
        rows.append((round(r * 255), round(g * 255), round(b * 255)))
    return np.array(rows, dtype=np.uint8)


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
THEMES = {"light": LIGHT, "dark": DARK}
