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

from riskcheck.errors import ReportError
from riskcheck.loader import validate_model
from riskcheck.yamlio import load_yaml

#: The largest logo riskcheck embeds.
MAX_LOGO_BYTES = 1024 * 1024
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

    #: A PNG, JPEG or SVG file, relative to the theme file.
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
            logo = _logo_data_uri(path.parent / theme.logo)
        except ValueError as exc:
            raise ReportError.from_problems([document.problem(("logo",), str(exc))]) from None
    return LoadedTheme(organisation=theme.organisation, colours=theme.colours, logo_data_uri=logo)


def _logo_data_uri(logo: Path) -> str:
    kind = _LOGO_TYPES.get(logo.suffix.lower())
    if kind is None:
        raise ValueError(f"expected a .png, .jpg or .svg file, got {logo.name!r}")
    try:
        size = logo.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise ValueError(f"{logo} is {size:,} bytes; a logo may be at most {MAX_LOGO_BYTES:,} bytes")
        data = logo.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{logo}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{logo}: is a directory, expected an image file") from None
    except PermissionError:
        raise ValueError(f"{logo}: permission denied") from None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
