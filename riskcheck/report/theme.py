"""The report theme: a logo, an organisation name and a few colours, from a small YAML file.

Colours are checked against a strict pattern because they end up in CSS; the logo
is read here (bounded) and handed to the templates as a ``data:`` URI, so rendering
never has to fetch a file outside the templates directory.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from riskcheck.core.errors import ReportError, RiskcheckError
from riskcheck.core.loader import validate_model
from riskcheck.files.fileio import read_bounded_bytes
from riskcheck.files.yamlio import load_yaml

#: The largest logo riskcheck embeds.
MAX_LOGO_BYTES = 1024 * 1024
#: The most pixels a PNG or JPEG logo may decode to (4096 x 4096).
MAX_LOGO_PIXELS = 4096 * 4096
#: The most elements an SVG logo may hold.
MAX_SVG_ELEMENTS = 5_000
#: The deepest an SVG logo's elements may nest (renderers draw a level one call deeper each).
MAX_SVG_DEPTH = 64
#: The most elements drawing an SVG logo may take: each element once, and a clip path's
#: elements again for each element it clips.
MAX_SVG_DRAWN = 20_000
#: The widest or tallest an SVG logo may be, width to height (the Word report draws it 240 pixels high).
MAX_SVG_ASPECT = 20
#: What an SVG logo may hold: shapes, text, groups, gradients, clip paths and styles, each drawn
#: once where it stands, and ``<symbol>``s and ``<use>``s of one level (a ``<use>`` draws an
#: element of the logo that holds no ``<use>`` and no clip path; each use counts towards
#: :data:`MAX_SVG_DRAWN`). Not ``<pattern>``, ``<marker>``, ``<mask>`` or ``<filter>`` (which draw
#: other elements again, and nested, without bound), ``<image>`` and links to other files,
#: ``<script>`` or ``<foreignObject>``.
SVG_ELEMENTS = [
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "metadata",
    "style",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "symbol",
    "use",
]
#: What a ``<use>`` may draw: a shape, text, a group or a symbol.
_USABLE = {"g", "symbol", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text"}
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}

Colour = Annotated[str, Field(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]


class Colours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Headings, the cover band and table headers.
    primary: Colour = "#1f3550"
    #: Rules, links and chart accents.
    accent: Colour = "#8a6d1e"
    #: Body text.
    text: Colour = "#1a1a1a"


class Theme(BaseModel):
    """What a theme file may set; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: A PNG, JPEG or SVG file in the theme file's directory (or below it), relative to it.
    logo: str | None = None
    #: Shown on the cover next to the logo, e.g. "Example Corp - AI Governance".
    organisation: Annotated[str, Field(max_length=200)] | None = None
    colours: Colours = Colours()


class LoadedTheme(BaseModel):
    """A validated theme with its logo read and encoded."""

    model_config = ConfigDict(frozen=True)

    organisation: str | None = None
    colours: Colours = Colours()
    logo_data_uri: str | None = None


DEFAULT_THEME = LoadedTheme()


def load_theme(path: Path) -> LoadedTheme:
    """Read and check a theme file; raise :class:`ReportError` naming the file and place."""
    path = Path(path)
    document = load_yaml(path, what="theme")
    theme = validate_model(Theme, document, ReportError)
    logo = None
    if theme.logo is not None:
        try:
            logo = _logo_data_uri(path.parent, theme.logo)
        except ValueError as exc:
            raise ReportError.from_problems([document.problem(("logo",), str(exc))]) from None
    return LoadedTheme(organisation=theme.organisation, colours=theme.colours, logo_data_uri=logo)


def _logo_data_uri(theme_dir: Path, name: str) -> str:
    logo = theme_dir / name
    kind = _LOGO_TYPES.get(logo.suffix.lower())
    if kind is None:
        raise ValueError(f"expected a .png, .jpg or .svg file, got {logo.name!r}")
    # A theme may come from another team: its logo must be its own file, not one it
    # points at elsewhere on the reader's disk (which would end up inside the PDF).
    try:
        real = logo.resolve(strict=True)
    except FileNotFoundError:
        raise ValueError(f"{logo}: no such file") from None
    except (OSError, RuntimeError):
        raise ValueError(f"{logo}: cannot be opened") from None
    if not real.is_relative_to(theme_dir.resolve()):
        raise ValueError(f"{name}: the logo must be a file in the theme's directory {theme_dir}")
    try:
        data = read_bounded_bytes(logo, limit=MAX_LOGO_BYTES)
    except RiskcheckError as exc:
        raise ValueError(str(exc)) from None
    if kind == "image/svg+xml":
        check_svg(logo, data)
    else:
        _check_pixels(logo, data)
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _check_pixels(logo: Path, data: bytes) -> None:
    """A small compressed file can decode to gigabytes: bound the width and height."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValueError(f"{logo}: not a PNG or JPEG image riskcheck can read") from None
    if width * height > MAX_LOGO_PIXELS:
        raise ValueError(
            f"{logo}: the image is {width:,} x {height:,} pixels; a logo may have at most {MAX_LOGO_PIXELS:,} pixels"
        )


# ---------------------------------------------------------------- SVG logos

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "http://www.w3.org/1999/xlink}href"
#: Renderers find what an element does by its name without its namespace, and by parts of
#: it (a ``pattern`` fill is any element whose name holds "pattern"): an element of an
#: editor's own namespace (Inkscape's ``sodipodi:namedview``) must hold none of these.
_DRAWN_WORDS = [
    "use",
    "symbol",
    "pattern",
    "image",
    "marker",
    "mask",
    "filter",
    "path",
    "gradient",
    "clip",
    "script",
    "foreign",
    "style",
    "svg",
    "text",
    "span",
    "font",
    "switch",
    "tref",
    "iframe",
    "video",
    "audio",
    "canvas",
    "animate",
    "cursor",
]
_DRAWN_NAMES = {"a", "g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "stop", "defs"}
#: ``url(#id)``: a reference inside the logo.
_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[^'"()\s]*\1\s*\)""", re.IGNORECASE)
_ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
#: In a style, ``url(#id)`` only as a fill or a stroke.
_STYLE_URL = re.compile(r"""(?:^|[;{\s])(?:fill|stroke)\s*:\s*url\(\s*(['"]?)#[^'"()\s]*\1\s*\)""", re.IGNORECASE)
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*")


@dataclasses.dataclass
class _Element:
    name: str
    attrs: dict[str, str]
    line: int
    parent: int
    size: int = 1
    text: list[str] = dataclasses.field(default_factory=list)


def check_svg(logo: Path, data: bytes) -> None:
    """Refuse an SVG logo that could take without bound to draw, or reach outside itself.

    Parsed with the standard library's expat, refusing a DOCTYPE (so no entity is ever
    declared or expanded) and processing instructions (``xml-stylesheet``); then only
    :data:`SVG_ELEMENTS` are allowed, at most :data:`MAX_SVG_ELEMENTS` of them nested at most
    :data:`MAX_SVG_DEPTH` deep, a gradient linking only to one that links to none, ``url(#id)``
    references only inside the logo, and clip paths drawn at most :data:`MAX_SVG_DRAWN`
    elements in all. Raises :class:`ValueError` naming the logo, the line and what is allowed.
    """
    from xml.parsers import expat

    allowed = f"an SVG logo may hold only {', '.join(f'<{name}>' for name in SVG_ELEMENTS)}"
    elements: list[_Element] = []
    open_: list[int] = []
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(what: str) -> None:
        raise ValueError(f"{logo}:{parser.CurrentLineNumber}: {what}")

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(elements) >= MAX_SVG_ELEMENTS:
            refuse(f"more than {MAX_SVG_ELEMENTS:,} elements; an SVG logo may hold at most {MAX_SVG_ELEMENTS:,}")
        if len(open_) >= MAX_SVG_DEPTH:
            refuse(f"elements nested more than {MAX_SVG_DEPTH} deep; an SVG logo may nest at most {MAX_SVG_DEPTH}")
        space, _, local = name.rpartition("}")
        if space in ("", _SVG_NS):
            if local not in SVG_ELEMENTS:
                refuse(f"<{local}> is not allowed: {allowed}")
        elif local in _DRAWN_NAMES or any(word in local.lower() for word in _DRAWN_WORDS):
            refuse(f"<{local}> in namespace {space} is not allowed: {allowed}")
        for attribute, value in attrs.items():
            _check_attribute(local, attribute, value, refuse)
        elements.append(_Element(local, attrs, parser.CurrentLineNumber, open_[-1] if open_ else -1))
        open_.append(len(elements) - 1)

    def end(_name: str) -> None:
        open_.pop()

    def text(content: str) -> None:
        if open_ and elements[open_[-1]].name == "style":
            elements[open_[-1]].text.append(content)

    def doctype(*_args: object) -> None:
        refuse("a DOCTYPE is not allowed in an SVG logo (its entities could expand without bound or read files)")

    def instruction(target: str, _data: str) -> None:
        refuse(f"the processing instruction <?{target}?> is not allowed in an SVG logo")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ValueError(f"{logo}:{exc.lineno}: not a well-formed SVG file: {expat.ErrorString(exc.code)}") from None
    if not elements or elements[0].name != "svg":
        raise ValueError(f"{logo}: not an SVG file (its root element is not <svg>)")
    for element in elements:
        if element.name == "style":
            _check_style("".join(element.text), f"{logo}:{element.line}: <style>")
    _check_drawing(logo, elements)
    _check_aspect(logo, elements[0])


def _check_attribute(element: str, attribute: str, value: str, refuse: Any) -> None:
    local = attribute.rpartition("}")[2]
    if attribute == _XLINK_HREF or local == "href":
        if element not in ("linearGradient", "radialGradient", "use") or not value.strip().startswith("#"):
            refuse(
                f"<{element} {local}={value[:60]!r}>: a link is not allowed in an SVG logo, "
                'except from one gradient to another in it and from a <use> to an element in it (href="#id")'
            )
    elif local == "style":
        _check_style(value, f"<{element} style>", refuse)
    elif _ANY_URL.search(value) and len(_ANY_URL.findall(value)) != len(_LOCAL_URL.findall(value)):
        refuse(f"<{element} {local}={value[:60]!r}>: only references inside the logo (url(#id)) are allowed")


def _check_style(css: str, where: str, refuse: Any = None) -> None:
    """A style may fill and stroke with ``url(#id)``; no ``@import``, fonts, other references or escapes."""

    def fail(what: str) -> None:
        if refuse is not None:
            refuse(f"{where}: {what}")
        raise ValueError(f"{where}: {what}")

    if "\\" in css:
        fail("a backslash escape is not allowed in an SVG logo's styles")
    if "@" in css:
        fail("an at-rule (@import, @font-face) is not allowed in an SVG logo's styles")
    if len(_ANY_URL.findall(css)) != len(_STYLE_URL.findall(css)):
        fail("url() is allowed in an SVG logo's styles only as fill: url(#id) or stroke: url(#id)")


def _check_drawing(logo: Path, elements: list[_Element]) -> None:
    """Count what drawing takes: each element once, a clip path's elements again for each use."""
    for index in range(len(elements) - 1, 0, -1):
        elements[elements[index].parent].size += elements[index].size
    ids = {element.attrs["id"]: element for element in elements if "id" in element.attrs}
    inside_clip: set[int] = set()  # a clip path and what it holds
    for index, element in enumerate(elements):
        if element.name == "clipPath" or element.parent in inside_clip:
            inside_clip.add(index)
    gradients = ("linearGradient", "radialGradient")
    drawn = len(elements)
    for index, element in enumerate(elements):
        link = _href(element)
        if link is None:
            continue
        if element.name == "use":
            drawn += _used(logo, elements, ids, index, link, inside_clip)
            continue
        target = ids.get(link.strip().removeprefix("#"))
        if target is None or target.name not in gradients or _href(target) is not None:
            # Renderers follow a chain of links one call deeper each: a long one overflows their stack.
            raise ValueError(
                f"{logo}:{element.line}: <{element.name} href={link[:60]!r}>: a gradient may link only to a "
                "gradient in the logo that links to none"
            )
    for index, element in enumerate(elements):
        reference = element.attrs.get("clip-path")
        if reference is None:
            continue
        if index in inside_clip:
            raise ValueError(
                f"{logo}:{element.line}: <{element.name} clip-path>: a clip path, or an element inside one, "
                "may not be clipped again in an SVG logo"
            )
        match = re.search(r"#([^'\")\s]*)", reference)
        target = ids.get(match.group(1)) if match else None
        drawn += target.size if target is not None else 0
    if drawn > MAX_SVG_DRAWN:
        raise ValueError(
            f"{logo}: drawing it takes {drawn:,} elements with its clip paths and uses; "
            f"an SVG logo may take at most {MAX_SVG_DRAWN:,}"
        )


def _used(
    logo: Path, elements: list[_Element], ids: dict[str, _Element], index: int, link: str, inside_clip: set[int]
) -> int:
    """What the ``<use>`` at ``index`` draws again (its target's elements), if it may draw it.

    One level only: the target holds no ``<use>`` (so uses never multiply) and no clip path
    (whose elements would be drawn again for each use), is not the use's own ancestor, and a
    use is not part of a clip path.
    """
    use = elements[index]
    target_id = link.strip().removeprefix("#")
    target = ids.get(target_id)
    where = f"{logo}:{use.line}: <use href={link[:60]!r}>"
    if target is None or target.name not in _USABLE:
        raise ValueError(f"{where}: a <use> may draw only a shape, text, a group or a symbol of the logo")
    start = next(i for i, element in enumerate(elements) if element is target)
    subtree = range(start, start + target.size)
    ancestors, parent = set(), use.parent
    while parent >= 0:
        ancestors.add(parent)
        parent = elements[parent].parent
    if start in ancestors or index in inside_clip:
        raise ValueError(f"{where}: a <use> may not draw what holds it, nor be part of a clip path")
    if any(elements[i].name == "use" or "clip-path" in elements[i].attrs for i in subtree):
        raise ValueError(f"{where}: a <use> may draw only elements that hold no <use> and no clip path")
    return target.size


def _href(element: _Element) -> str | None:
    return element.attrs.get(_XLINK_HREF, element.attrs.get("href"))


def _check_aspect(logo: Path, root: _Element) -> None:
    width = height = None
    box = root.attrs.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = abs(float(box[2])), abs(float(box[3]))
        except ValueError:
            width = height = None
    if width is None:
        sizes = [_LENGTH.fullmatch(root.attrs.get(key, "")) for key in ("width", "height")]
        if sizes[0] and sizes[1] and sizes[0].group(2) == sizes[1].group(2):
            width, height = float(sizes[0].group(1)), float(sizes[1].group(1))
    if width is None or height is None:
        return
    if not width or not height or max(width / height, height / width) > MAX_SVG_ASPECT:
        raise ValueError(
            f"{logo}: the logo is {width:g} by {height:g}; a logo may be at most {MAX_SVG_ASPECT} times "
            "wider than high or higher than wide"
        )
