"""The only way WeasyPrint may load a resource while rendering a report.

``data:`` URIs and files inside the template directories are served; everything
else (http, https, ftp, files elsewhere) is refused and recorded, so a template or
an answer can never make rendering reach the network or read arbitrary files.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

#: The largest file a template may pull in (fonts, images, stylesheets).
MAX_RESOURCE_BYTES = 8 * 1024 * 1024
#: The longest data: URI served: a resource of that size, base64-encoded.
MAX_DATA_URI_CHARS = MAX_RESOURCE_BYTES * 4 // 3 + 1024


def make_url_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint ``URLFetcher`` restricted to ``roots``; see :class:`RestrictedFetcher`."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
        """Serves data: URIs and files under ``roots``; refuses and records the rest."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)
            self.roots = tuple(Path(root).resolve() for root in roots)
            self.refused: list[str] = []
            self.served: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                if len(url) > MAX_DATA_URI_CHARS:
                    self.refused.append(url[:40] + "...")
                    raise ValueError(f"riskcheck refused a data: URI of {len(url):,} characters")
                self.served.append(url[:40])
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
                if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                    if path.stat().st_size > MAX_RESOURCE_BYTES:
                        self.refused.append(url)
                        raise ValueError(f"riskcheck refused {url}: larger than {MAX_RESOURCE_BYTES:,} bytes")
                    self.served.append(url)
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            self.refused.append(url)
            raise ValueError(
                f"riskcheck refused to fetch {url}: reports load only data: URIs and files "
                "inside the template directories"
            )

    return RestrictedFetcher()
