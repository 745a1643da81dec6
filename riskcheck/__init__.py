"""riskcheck: responsible-AI risk assessment, from questionnaire to signed-off PDF.

The public Python API is :mod:`riskcheck.api`; each command of the ``riskcheck``
command line is a thin wrapper around one of its functions.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Resolved lazily: importlib.metadata is slow to import, and most commands never ask.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("riskcheck")
        except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
            return "0+unknown"
    raise AttributeError(f"module 'riskcheck' has no attribute {name!r}")
