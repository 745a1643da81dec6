"""``riskcheck lint --since REV``: a questionnaire's changes since a git revision need the right version.

Two problems are reported against the questionnaire file, at its ``version`` (or its
``migrations``):

- ``version-bump``: the changes since the revision ask for a larger version bump than
  the one made (see :mod:`riskcheck.qdiff` for what each change asks for);
- ``removed-without-migration``: a question of the older version is gone, and the newer
  version declares no migration from it saying where its answers go (renamed, split,
  removed or changed in meaning).
"""

from __future__ import annotations

from pathlib import Path

from riskcheck.compile import CompiledQuestionnaire
from riskcheck.lint import LintProblem
from riskcheck.qdiff import QuestionnaireDiff, questionnaire_diff
from riskcheck.yamlio import load_yaml

CODES = {
    "version-bump": "a change since the revision asks for a larger version bump than the one made",
    "removed-without-migration": "a question was removed or renamed with no migration for its answers",
}


def diff_since(compiled: CompiledQuestionnaire, revision: str) -> QuestionnaireDiff | None:
    """The changes to ``compiled``'s file since ``revision`` (None: the file is new since then)."""
    from riskcheck.errors import RiskcheckError
    from riskcheck.gitrev import materialised
    from riskcheck.loader import load_questionnaire

    path = Path(compiled.source)
    with materialised(revision, path) as old:
        if old is None:
            return None
        try:
            base = load_questionnaire(old.path)
        except RiskcheckError as exc:
            raise old.rename(exc) from None
    return questionnaire_diff(base, compiled, base_label=f"{revision}:{path}", head_label=str(path))


def lint_since(compiled: CompiledQuestionnaire, revision: str) -> list[LintProblem]:
    """The version problems of ``compiled`` against its own file at ``revision``."""
    diff = diff_since(compiled, revision)
    if diff is None:
        return []
    document = load_yaml(Path(compiled.source), what="questionnaire")
    problems: list[LintProblem] = []

    def report(loc: tuple[str | int, ...], message: str, code: str) -> None:
        line, column = document.position(loc) or (None, None)
        problems.append(LintProblem(compiled.source, message, line, column, ".".join(map(str, loc)), code))

    if not diff.bump_ok:
        majors = [c for c in diff.changes if c.level == diff.required_bump]
        examples = "; ".join(f"{c.subject}: {c.action}" for c in majors[:3])
        more = f" and {len(majors) - 3} more" if len(majors) > 3 else ""
        made = f"a {diff.actual_bump} bump" if diff.actual_bump else "no bump"
        report(
            ("version",),
            f"the changes since {revision} ask for a {diff.required_bump} version bump from "
            f"{diff.base_version}, got {diff.head_version} ({made}); for example {examples}{more}",
            "version-bump",
        )
    for change in diff.changes:
        if change.kind == "question" and change.action == "removed" and "no migration" in change.detail:
            where: tuple[str | int, ...] = ("migrations",) if compiled.spec.migrations else ("version",)
            report(
                where,
                f"question {change.subject} of {diff.base_version} is gone, and no migration from "
                f"{diff.base_version} says where its answers go; declare it under migrations: "
                "(renamed, split, removed or changed_meaning)",
                "removed-without-migration",
            )
    return problems
