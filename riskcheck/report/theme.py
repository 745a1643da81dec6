"""The report theme: a logo, an organisation name and a few colours, from a small YAML file.

Colours are checked against a strict pattern because they end up in CSS; the logo
is read here (bounded) and handed to the templates as a ``data:`` URI, so rendering
never has to fetch a file outside the templates directory.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from riskcheck.core.errors import ReportError, RiskcheckError
from riskcheck.core.loader import validate_model
from riskcheck.files.fileio import read_bounded_bytes
from riskcheck.files.yamlio import load_yaml

#: The largest logo riskcheck embeds.
MAX_LOGO_BYTES = 1024 * 1024
#: The most pixels a PNG or JPEG logo may decode to (4096 x 4096).
MAX_LOGO_PIXELS = 4096 * 4096
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
    if kind != "image/svg+xml":
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
