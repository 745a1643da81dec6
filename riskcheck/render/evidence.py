"""The evidence register (:mod:`riskcheck.audit.evidence`) as text."""

from __future__ import annotations

from riskcheck.audit.evidence import EvidenceRegister
from riskcheck.render.safe import one_line


def evidence_text(register: EvidenceRegister) -> str:
    """``riskcheck evidence`` as text: each link, whether it exists, its sha256 and when it changed."""
    local = [i for i in register.items if i.local]
    lines = [
        f"{register.path}: {len(register.items)} evidence link(s), {len(local)} local file(s), "
        f"{len(register.missing)} missing"
    ]
    for item in register.items:
        where = f"{item.number} {item.question}" if item.number else f"archived {item.question}"
        lines.append("")
        lines.append(f"{where}: {item.link}")
        if not item.local:
            lines.append("  external link (not checked)")
        elif not item.exists:
            lines.append(f"  MISSING (line {item.line})")
        else:
            who = f" by {item.changed_by}" if item.changed_by else ""
            lines.append(f"  sha256 {item.sha256}  {item.size:,} bytes")
            lines.append(f"  last changed {item.changed} ({item.changed_from}{who})")
    for qid, line, _ in register.waiting:
        lines.append("")
        lines.append(f"{qid}: waiting for evidence (line {line}); the answer does not count until a link is attached")
    # Links, names and answers come from files and git: one line each, no control characters.
    return "\n".join(one_line(line) for line in lines) + "\n"
