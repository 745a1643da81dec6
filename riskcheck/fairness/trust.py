"""Who may load a model file that can run code: whoever runs riskcheck, never the file.

A pickle or joblib file (and a skops file holding types outside the allowlist) runs
code when it is loaded. Assessments travel between teams and arrive in pull
requests, so nothing in an assessment can give that trust: ``trust_model: true`` in
a ``fairness:`` block is an error. Trust is given by the person or pipeline running
riskcheck, in one of two ways:

- ``--trust-model`` on the command line trusts every model that run loads;
- ``trusted-models`` in the ``[tool.riskcheck]`` table of the project's
  ``pyproject.toml`` lists the sha256 of each model file the project trusts. A
  digest, not a path: a pull request that replaces the bytes of a trusted model
  must also change the pyproject.toml, where a reviewer sees it.

A command that may load models runs inside :func:`trusting`, with the trust its
flag and the project's policy give (:func:`project_trust`); everything below it, the
gate's baseline and the report's pipeline included, reads that trust through
:func:`current_trust`. Code that never sets it trusts nothing (:data:`NO_TRUST`): the
web form, the pytest plugin, a new thread, a library caller that did not ask. The web
form never gives trust; an import-linter contract keeps it from importing this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

#: How a person gives trust, for the messages that refuse a model.
HOW_TO_TRUST = (
    "pass --trust-model or list its sha256 under [tool.riskcheck] trusted-models in the project's pyproject.toml"
)


@dataclass(frozen=True)
class ModelTrust:
    """The model files that may run code when loaded: all of them, or those with these digests."""

    every_model: bool = False
    sha256: frozenset[str] = frozenset()
    #: Where the digests were listed, for the warning printed when one is loaded.
    source: str = "pyproject.toml"
    #: Where a command shows, at once, the warning for each model loaded on trust (with its
    #: sha256) when the caller passed no ``warn``; the result's warnings hold it anyway.
    announce: Callable[[str], None] | None = field(default=None, compare=False)

    def allows(self, digest: str) -> bool:
        return self.every_model or digest in self.sha256

    def reason(self, digest: str) -> str:
        """Why the model with ``digest`` is trusted (call only when :meth:`allows` it)."""
        if self.every_model:
            return "--trust-model"
        return f"its sha256 is in trusted-models in {self.source}"


NO_TRUST = ModelTrust()


_CURRENT: ContextVar[ModelTrust] = ContextVar("riskcheck_model_trust", default=NO_TRUST)


def current_trust() -> ModelTrust:
    """The trust of the command running in this context; :data:`NO_TRUST` if none was given."""
    return _CURRENT.get()


@contextmanager
def trusting(trust: ModelTrust) -> Iterator[ModelTrust]:
    """Run the block with ``trust``; it ends with the block (and never reaches other threads)."""
    token = _CURRENT.set(trust)
    try:
        yield trust
    finally:
        _CURRENT.reset(token)


def project_trust(*, every_model: bool, pyproject: Path | None = None) -> ModelTrust:
    """The trust a command gives: every model with ``--trust-model``, else the models whose
    sha256 ``trusted-models`` lists in ``pyproject`` (default: the nearest one above the
    working directory, the project being checked from)."""
    if every_model:
        return ModelTrust(every_model=True)
    from riskcheck.gate.policy import find_pyproject, load_policy

    if pyproject is None:
        pyproject = find_pyproject(Path.cwd())
    if pyproject is None:
        return NO_TRUST
    digests = load_policy(pyproject).trusted_models
    return ModelTrust(sha256=frozenset(digests), source=str(pyproject)) if digests else NO_TRUST
