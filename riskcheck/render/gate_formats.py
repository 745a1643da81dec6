"""The gate document in each output format of ``riskcheck check``."""

from __future__ import annotations

from typing import Any

from riskcheck.core.vocabulary import GateFormat


def render_gate(gate: dict[str, Any], fmt: GateFormat, *, verbose: bool = False) -> str:
    """The gate document (:func:`riskcheck.render.gate_json.gate_dict`) as ``fmt``.

    ``verbose`` also lists the YAML files skipped, in the text format.
    """
    if fmt == "json":
        from riskcheck.core.result import dumps

        return dumps(gate) + "\n"
    if fmt == "junit":
        from riskcheck.render.junit import gate_junit

        return gate_junit(gate)
    if fmt == "github":
        from riskcheck.render.github import gate_github

        return gate_github(gate)
    if fmt == "markdown":
        from riskcheck.render.gate_markdown import gate_markdown

        return gate_markdown(gate)
    from riskcheck.render.gate_text import gate_text

    return gate_text(gate, verbose=verbose).plain
