"""Rewrite Qt's SVG output as plain SVG that every renderer draws the same.

``QSvgGenerator`` writes each painter state as a ``<g transform="matrix(...)">`` and marks
shapes drawn with a cosmetic pen (a pen whose width is in pixels, whatever the transform:
pyqtgraph's default) with ``vector-effect="non-scaling-stroke"``. Under a plot's
non-uniform data-to-pixel transform only Qt and browsers honour that; ``rsvg-convert``
(which pandoc uses) and ImageMagick scale the stroke with the data and draw lines as slabs
and markers as blobs.

:func:`plain_svg` applies every group's transform to the coordinates of those shapes, so
their stroke widths are in output units with no vector effect needed. Shapes whose stroke
should scale (a non-cosmetic pen), text and images keep their transform, moved onto a group
of their own (any renderer draws an affine transform of those right). A shape without a
stroke is baked too (its fill is exact under any transform). Gradients in user space get
the transform as their ``gradientTransform``.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

#: An affine map ``(a, b, c, d, e, f)``: ``x' = a x + c y + e``, ``y' = b x + d y + f``.
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"[A-Za-z]|{_NUMBER}")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate)\s*\(([^)]*)\)")
_URL = re.compile(r"url\(#([^)]+)\)")
_SHAPES = {"path", "polyline", "polygon", "rect", "line", "circle", "ellipse"}
_KAPPA = 0.5522847498307936  # a quarter circle's Bézier control distance, radius 1


def tag(element: ET.Element) -> str:
    """The element's name without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The map ``m ∘ n`` (``n`` first, then ``m``)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e,
            b * t + d * u + f)  # fmt: skip


def parse_transform(text: str | None) -> Matrix:
    """The matrix of an SVG ``transform`` attribute (matrix, translate, scale, rotate)."""
    m = IDENTITY
    for name, args in _TRANSFORM.findall(text or ""):
        v = [float(x) for x in re.findall(_NUMBER, args)]
        if name == "matrix" and len(v) == 6:
            n = tuple(v)
        elif name == "translate" and v:
            n = (1.0, 0.0, 0.0, 1.0, v[0], v[1] if len(v) > 1 else 0.0)
        elif name == "scale" and v:
            n = (v[0], 0.0, 0.0, v[1] if len(v) > 1 else v[0], 0.0, 0.0)
        elif name == "rotate" and len(v) == 1:
            co, si = math.cos(math.radians(v[0])), math.sin(math.radians(v[0]))
            n = (co, si, -si, co, 0.0, 0.0)
        else:
            raise ValueError(f"unsupported SVG transform {name}({args})")
        m = multiply(m, n)
    return m


def number(v: float) -> str:
    """``v`` with at most three decimals (a thousandth of an output pixel)."""
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def matrix_text(m: Matrix) -> str:
    return "matrix(" + ",".join(f"{v:.6g}" for v in m) + ")"


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _point(m: Matrix, x: float, y: float) -> str:
    px, py = apply(m, x, y)
    return f"{number(px)},{number(py)}"


def transform_path(d: str, m: Matrix) -> str:
    """Path data ``d`` with every point mapped by ``m`` (absolute commands out).

    Handles ``M L H V C S Q T Z`` (absolute and relative): what Qt writes and more. An
    elliptical arc (``A``) has no exact image as an arc under a general affine map and is
    refused with ``ValueError`` (Qt writes arcs as Bézier curves).
    """
    tokens = _TOKEN.findall(d)
    out: list[str] = []
    i, cmd = 0, ""
    x = y = sx = sy = 0.0
    last_ctrl: tuple[float, float] | None = None  # for S and T
    prev = ""

    def take(n: int) -> list[float]:
        nonlocal i
        vals = [float(t) for t in tokens[i : i + n]]
        if len(vals) < n or any(t.isalpha() for t in tokens[i : i + n]):
            raise ValueError(f"malformed path data {d[:60]!r}")
        i += n
        return vals

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                out.append("Z")
                x, y = sx, sy
                prev, last_ctrl = "Z", None
                continue
        elif not cmd:
            raise ValueError(f"path data starts without a command: {d[:60]!r}")
        rel = cmd.islower()
        op = cmd.upper()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if op == "M":
            x, y = (v + o for v, o in zip(take(2), (ox, oy), strict=True))
            sx, sy = x, y
            out.append("M" + _point(m, x, y))
            cmd = "l" if rel else "L"  # further pairs are line-tos
            last_ctrl = None
        elif op in "LHV":
            if op == "L":
                x, y = (v + o for v, o in zip(take(2), (ox, oy), strict=True))
            elif op == "H":
                x = take(1)[0] + ox
            else:
                y = take(1)[0] + oy
            out.append("L" + _point(m, x, y))
            last_ctrl = None
        elif op in "CS":
            if op == "C":
                x1, y1, x2, y2, x3, y3 = take(6)
                x1, y1 = x1 + ox, y1 + oy
            else:
                x2, y2, x3, y3 = take(4)
                cx, cy = last_ctrl if prev in "CS" and last_ctrl else (x, y)
                x1, y1 = 2 * x - cx, 2 * y - cy
            x2, y2, x3, y3 = x2 + ox, y2 + oy, x3 + ox, y3 + oy
            out.append("C" + " ".join(_point(m, *p) for p in ((x1, y1), (x2, y2), (x3, y3))))
            last_ctrl, (x, y) = (x2, y2), (x3, y3)
        elif op in "QT":
            if op == "Q":
                x1, y1, x3, y3 = take(4)
                x1, y1 = x1 + ox, y1 + oy
            else:
                x3, y3 = take(2)
                cx, cy = last_ctrl if prev in "QT" and last_ctrl else (x, y)
                x1, y1 = 2 * x - cx, 2 * y - cy
            x3, y3 = x3 + ox, y3 + oy
            out.append("Q" + " ".join(_point(m, *p) for p in ((x1, y1), (x3, y3))))
            last_ctrl, (x, y) = (x1, y1), (x3, y3)
        else:
            raise ValueError(f"path command {cmd!r} cannot be transformed")
        prev = op
    return " ".join(out)


def _floats(element: ET.Element, *names: str) -> list[float]:
    return [float(element.get(n, "0") or 0) for n in names]


def shape_path(element: ET.Element) -> str | None:
    """The shape as path data in its own coordinates (``None``: nothing to draw)."""
    kind = tag(element)
    if kind == "path":
        return element.get("d", "")
    if kind in ("polyline", "polygon"):
        values = re.findall(_NUMBER, element.get("points", ""))
        pairs = [f"{values[k]},{values[k + 1]}" for k in range(0, len(values) - 1, 2)]
        if not pairs:
            return None
        return "M" + " L".join(pairs) + (" Z" if kind == "polygon" else "")
    if kind == "line":
        x1, y1, x2, y2 = _floats(element, "x1", "y1", "x2", "y2")
        return f"M{x1},{y1} L{x2},{y2}"
    if kind == "rect":
        if element.get("rx") or element.get("ry"):
            raise ValueError("rounded rectangles are kept with their transform")
        x, y, w, h = _floats(element, "x", "y", "width", "height")
        if w <= 0 or h <= 0:
            return None  # an empty rectangle draws nothing (SVG 1.1, 9.2)
        return f"M{x},{y} L{x + w},{y} L{x + w},{y + h} L{x},{y + h} Z"
    if kind in ("circle", "ellipse"):
        cx, cy = _floats(element, "cx", "cy")
        if kind == "circle":
            rx = ry = _floats(element, "r")[0]
        else:
            rx, ry = _floats(element, "rx", "ry")
        if rx <= 0 or ry <= 0:
            return None
        kx, ky = _KAPPA * rx, _KAPPA * ry
        return (
            f"M{cx + rx},{cy} C{cx + rx},{cy + ky} {cx + kx},{cy + ry} {cx},{cy + ry} "
            f"C{cx - kx},{cy + ry} {cx - rx},{cy + ky} {cx - rx},{cy} "
            f"C{cx - rx},{cy - ky} {cx - kx},{cy - ry} {cx},{cy - ry} "
            f"C{cx + kx},{cy - ry} {cx + rx},{cy - ky} {cx + rx},{cy} Z"
        )
    return None


#: Largest side of an image enlarged by :func:`sharpen_image`, in pixels.
MAX_SHARPENED_SIDE = 4096


def sharpen_image(element: ET.Element, ctm: Matrix) -> None:
    """Enlarge a small embedded image drawn without smoothing, pixel by pixel.

    Qt marks an image painted without smooth scaling (the decision regions, the Jacobian's
    cells) with ``image-rendering="optimizeSpeed"``; ``rsvg-convert``, ImageMagick and PDF
    converters smooth it anyway, so a 3×3 heatmap comes out as a blur. Repeating each
    pixel ``k`` times along each axis, with ``k`` such that the image has at least as many
    pixels as it covers at 1×, leaves at most a one-pixel blend at each cell's edge in
    every renderer.
    """
    import base64
    import io

    from PIL import Image

    if element.get("image-rendering") != "optimizeSpeed":
        return
    key = f"{{{XLINK_NS}}}href"
    href = element.get(key) or element.get("href") or ""
    prefix = "data:image/png;base64,"
    if not href.startswith(prefix):
        return
    a, b, c, d, _, _ = ctm
    shown_w = math.hypot(a, b) * float(element.get("width", "0"))
    shown_h = math.hypot(c, d) * float(element.get("height", "0"))
    with Image.open(io.BytesIO(base64.b64decode(href[len(prefix) :]))) as image:
        w, h = image.size
        kx = max(1, min(math.ceil(shown_w / w), MAX_SHARPENED_SIDE // w))
        ky = max(1, min(math.ceil(shown_h / h), MAX_SHARPENED_SIDE // h))
        if kx == ky == 1:
            return
        big = image.resize((w * kx, h * ky), Image.Resampling.NEAREST)
    out = io.BytesIO()
    big.save(out, "PNG", optimize=False)
    encoded = base64.b64encode(out.getvalue()).decode()
    element.set(key if element.get(key) else "href", prefix + encoded)


class _Flattener:
    """One pass over a parsed SVG document; see :func:`plain_svg`."""

    _KEEP = ("id", "class", "style", "fill", "fill-opacity", "fill-rule", "stroke",
             "stroke-opacity", "stroke-width", "stroke-linecap", "stroke-linejoin",
             "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity",
             "clip-path", "clip-rule", "visibility", "display")  # fmt: skip

    def __init__(self, root: ET.Element):
        self.root = root
        self.gradients = {
            el.get("id"): el
            for el in root.iter()
            if tag(el) in ("linearGradient", "radialGradient") and el.get("id")
        }
        self.clips = {
            el.get("id"): el for el in root.iter() if tag(el) == "clipPath" and el.get("id")
        }
        self.defs = next((el for el in root if tag(el) == "defs"), None)
        self.copies: dict[tuple[str, Matrix], str] = {}

    def run(self) -> None:
        self.visit(self.root, IDENTITY, stroked=True)

    def visit(self, parent: ET.Element, ctm: Matrix, stroked: bool) -> None:
        """Rewrite the children of ``parent``, drawn under the transform ``ctm``."""
        children = list(parent)
        wrapper: ET.Element | None = None
        rebuilt: list[ET.Element] = []
        for child in children:
            kind = tag(child)
            if kind in ("defs", "title", "desc", "metadata", "linearGradient", "radialGradient",
                        "clipPath", "pattern", "mask", "style"):  # fmt: skip
                rebuilt.append(child)
                wrapper = None
                continue
            if kind == "g":
                own = multiply(ctm, parse_transform(child.attrib.pop("transform", None)))
                stroke = child.get("stroke")
                self.move_gradients(child, own)
                self.visit(child, own, stroked if stroke is None else stroke != "none")
                rebuilt.append(child)
                wrapper = None
                continue
            if kind in _SHAPES and self.bake(child, ctm, stroked):
                rebuilt.append(child)
                wrapper = None
                continue
            if kind == "image":
                sharpen_image(child, multiply(ctm, parse_transform(child.get("transform"))))
            # Text, images, scaling strokes: the transform moves onto a group around them.
            if ctm == IDENTITY:
                rebuilt.append(child)
                continue
            if wrapper is None:
                wrapper = ET.Element(f"{{{SVG_NS}}}g", {"transform": matrix_text(ctm)})
                rebuilt.append(wrapper)
            own = child.attrib.pop("transform", None)
            if own:
                inner = ET.SubElement(wrapper, f"{{{SVG_NS}}}g", {"transform": own})
                inner.append(child)
            else:
                wrapper.append(child)
        for child in children:
            parent.remove(child)
        parent.extend(rebuilt)

    def bake(self, element: ET.Element, ctm: Matrix, stroked: bool) -> bool:
        """Map the shape's coordinates by ``ctm`` in place; False if it must keep it."""
        stroke = element.get("stroke")
        has_stroke = stroked if stroke is None else stroke != "none"
        cosmetic = element.get("vector-effect") == "non-scaling-stroke"
        if has_stroke and not cosmetic and ctm != IDENTITY:
            return False  # a scaling stroke: only the transform itself draws it right
        own = parse_transform(element.get("transform"))
        try:
            d = shape_path(element)
            data = None if d is None else transform_path(d, multiply(ctm, own))
        except ValueError:
            return False
        attrs = {k: v for k, v in element.attrib.items() if k in self._KEEP}
        element.clear()
        element.tag = f"{{{SVG_NS}}}path"
        element.attrib.update(attrs)
        if not data:
            element.set("d", "M0,0")
            element.set("visibility", "hidden")  # kept (ids, order) but draws nothing
        else:
            element.set("d", data)
        self.move_gradients(element, multiply(ctm, own))
        return True

    def move_gradients(self, element: ET.Element, ctm: Matrix) -> None:
        """Point user-space gradient paints of ``element`` at copies that carry ``ctm``.

        Called where the coordinates below ``element`` are to be mapped by ``ctm``: a
        gradient in ``userSpaceOnUse`` units was placed in the untransformed space.
        """
        if ctm == IDENTITY:
            return
        clip = _URL.fullmatch(element.get("clip-path", "").strip())
        if clip and clip.group(1) in self.clips:
            element.set("clip-path", f"url(#{self.copy(self.clips[clip.group(1)], ctm)})")
        for name in ("fill", "stroke"):
            match = _URL.fullmatch(element.get(name, "").strip())
            if not match or match.group(1) not in self.gradients:
                continue
            source = self.gradients[match.group(1)]
            if source.get("gradientUnits") != "userSpaceOnUse":
                continue
            element.set(name, f"url(#{self.copy(source, ctm)})")

    def copy(self, source: ET.Element, ctm: Matrix) -> str:
        """The id of a copy of the gradient or clip path ``source`` placed by ``ctm``."""
        key = (source.get("id"), ctm)
        if key not in self.copies:
            copy = ET.fromstring(ET.tostring(source))
            new_id = f"{source.get('id')}-t{len(self.copies) + 1}"
            copy.set("id", new_id)
            attr = "transform" if tag(source) == "clipPath" else "gradientTransform"
            copy.set(attr, matrix_text(multiply(ctm, parse_transform(source.get(attr)))))
            (self.defs if self.defs is not None else self.root).append(copy)
            self.copies[key] = new_id
        return self.copies[key]


def plain_svg(text: str | bytes, size: tuple[int, int] | None = None) -> bytes:
    """Qt's SVG ``text`` rewritten with no reliance on non-scaling strokes.

    Parameters
    ----------
    text : str or bytes
        An SVG document (as ``QSvgGenerator`` writes it).
    size : (int, int), optional
        Width and height of the picture in CSS pixels, written as the root's ``width`` and
        ``height`` (a renderer then draws it at that many pixels at 1×; Qt writes
        millimetres at its own resolution).

    Returns
    -------
    bytes
        The SVG document, UTF-8, with an XML declaration.
    """
    root = ET.fromstring(text)
    _Flattener(root).run()
    for element in root.iter():
        if element.get("vector-effect") == "none":  # the default, said by Qt at every shape
            del element.attrib["vector-effect"]
    if size is not None:
        root.set("width", str(int(size[0])))
        root.set("height", str(int(size[1])))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
