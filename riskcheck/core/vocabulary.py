"""riskcheck's closed sets, each stated once with its order.

The questionnaire model, the result's ordering of findings, click choices, the pytest
plugin's options, the policy and the gate's records all take their values from here, so
a new severity or status is added in one place. It lives in the core because the core
orders findings by severity and must not import the gate.
"""

from __future__ import annotations

from typing import Literal, get_args

#: Finding severities, most severe first.
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
#: Severity -> rank (0 is the most severe).
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

#: What produced a finding.
FindingSource = Literal["rule", "fairness"]

#: What one check of the gate is about.
CheckKind = Literal["tier", "completeness", "rule", "fairness", "signoff", "questionnaire"]
CHECK_KINDS: tuple[CheckKind, ...] = get_args(CheckKind)

#: The outcome of one check.
CheckStatus = Literal["passed", "failed", "skipped"]
CHECK_STATUSES: tuple[CheckStatus, ...] = get_args(CheckStatus)

#: The output formats of ``riskcheck check``.
GateFormat = Literal["text", "json", "github", "markdown", "junit"]
GATE_FORMATS: tuple[GateFormat, ...] = get_args(GateFormat)
