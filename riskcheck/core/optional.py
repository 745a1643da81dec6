"""Optional extras: one way to import a package that an extra installs.

A missing package is a :class:`MissingDependencyError` naming the extra to install,
never an ``ImportError`` traceback (pandas' ``import_optional_dependency``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from riskcheck.core.errors import MissingDependencyError


@contextmanager
def optional_extra(extra: str, package: str) -> Iterator[None]:
    """Run imports that need ``extra``: an ``ImportError`` inside becomes a
    :class:`MissingDependencyError` naming the missing module (else ``package``)."""
    try:
        yield
    except ImportError as exc:
        raise MissingDependencyError(exc.name or package, extra) from None
