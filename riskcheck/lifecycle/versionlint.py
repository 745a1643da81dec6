"""``riskcheck lint --since REV``: a questionnaire's changes since a git revision need the right version.

Three problems are reported against the questionnaire file, at its ``version`` or in its
``migrations``:

- ``version-bump``: the changes since the revision ask for a larger version bump than
  the one made (see :mod:`riskcheck.lifecycle.qdiff` for what each change asks for);
- ``removed-without-migration``: a question of the older version is gone, and the newer
  version declares no migration from it saying where its answers go (renamed, split,
  removed or changed in meaning);
- ``migration-invalid``: the migration from the older version names a question or an
  option value that version does not have, or a split condition it cannot read.
"""

from __future__ import annotations

from pathlib import Path

from riskcheck.authoring.lint import LintProblem
from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.files.yamlio import load_yaml
from riskcheck.lifecycle.qdiff import QuestionnaireDiff, questionnaire_diff

CODES = {
    "version-bump": "a change since the revision asks for a larger version bump than the one made",
    "removed-without-migration": "a question was removed or renamed with no migration for its answers",
    "migration-invalid": "the migration names ids or values the older version does not have",
}


def diff_since(compiled: CompiledQuestionnaire, revision: str) -> QuestionnaireDiff | None:
    """The changes to ``compiled``'s file since ``revision`` (None: the file is new since then)."""
    base = _at_revision(compiled, revision)
    if base is None:
        return None
    path = compiled.source
    return questionnaire_diff(base, compiled, base_label=f"{revision}:{path}", head_label=str(path))


def _at_revision(compiled: CompiledQuestionnaire, revision: str) -> CompiledQuestionnaire | None:
    from riskcheck.core.errors import RiskcheckError
    from riskcheck.core.loader import load_questionnaire
    from riskcheck.files.gitrev import materialised

    path = Path(compiled.source)
    with materialised(revision, path) as old:
        if old is None:
            return None
        try:
            return load_questionnaire(old.path)
        except RiskcheckError as exc:
            raise old.rename(exc) from None


def lint_since(compiled: CompiledQuestionnaire, revision: str) -> list[LintProblem]:
    """The version problems of ``compiled`` against its own file at ``revision``."""
    base = _at_revision(compiled, revision)
    if base is None:
        return []
    path = compiled.source
    diff = questionnaire_diff(base, compiled, base_label=f"{revision}:{path}", head_label=str(path))
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
    if diff.migration is not None:
        from riskcheck.core.migrations import Step, check_step, target_version

        index = compiled.spec.migrations.index(diff.migration)
        target = target_version(compiled.spec, diff.migration)
        for found in check_step(Step(base.version, target, diff.migration, compiled, index), base):
            problems.append(
                LintProblem(found.file, found.message, found.line, found.column, found.path, "migration-invalid")
            )
    return problems
