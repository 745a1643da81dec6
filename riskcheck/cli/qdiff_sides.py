"""``riskcheck diff`` for two questionnaires: files, bundled ids (``ID@VERSION``) or git revisions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from riskcheck.core.errors import RiskcheckError

if TYPE_CHECKING:
    from riskcheck.core.compiler import CompiledQuestionnaire


def questionnaire_diff_text(base: str, head: str, fmt: str) -> str | None:
    """The diff as text, markdown or JSON when HEAD names a questionnaire; None for an assessment."""
    with ExitStack() as stack:
        head_q = stack.enter_context(_questionnaire(head, None))
        if head_q is None:
            return None
        base_q = stack.enter_context(_questionnaire(base, head))
        if base_q is None:
            raise RiskcheckError(f"{base}: an assessment; compare a questionnaire with a questionnaire")
        from riskcheck.lifecycle.qdiff import questionnaire_diff

        if base_q.id != head_q.id:
            raise RiskcheckError(
                f"{base} is questionnaire {base_q.id} and {head} is {head_q.id}; "
                "compare two versions of one questionnaire"
            )
        diff = questionnaire_diff(base_q, head_q, base_label=_label(base, head), head_label=head)
    if fmt == "json":
        from riskcheck.core.result import dumps

        return dumps(diff.to_dict()) + "\n"
    from riskcheck.render.qdiff import questionnaire_diff_text as render

    return render(diff, markdown=fmt == "markdown")


def _label(base: str, head: str) -> str:
    if Path(base).exists() or ":" in base or "@" in base:
        return base
    return f"{base}:{head}"  # a bare revision of the HEAD file


@contextmanager
def _questionnaire(text: str, other: str | None) -> Iterator[CompiledQuestionnaire | None]:
    """The questionnaire ``text`` names, or None when it names an assessment."""
    from riskcheck.api import detect_kind, questionnaire
    from riskcheck.core.loader import bundled_questionnaires, load_questionnaire

    if not Path(text).exists() and text.split("@", 1)[0] in bundled_questionnaires() and ":" not in text:
        yield questionnaire(text)
        return
    from riskcheck.cli.diff_cmd import _side

    revision, path = _side(text, Path(other) if other is not None and Path(other).exists() else None)
    if revision is None:
        yield load_questionnaire(path) if detect_kind(path) == "questionnaire" else None
        return
    from riskcheck.files.gitrev import GitError, materialised

    with materialised(revision, path) as old:
        if old is None:
            raise GitError(f"{revision}:{path}: the file does not exist at revision {revision!r}")
        try:
            yield load_questionnaire(old.path) if detect_kind(old.path) == "questionnaire" else None
        except RiskcheckError as exc:
            raise old.rename(exc) from None
