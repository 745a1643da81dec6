"""``riskcheck fill FILE``: answer an assessment question by question in the terminal.

The prompts come from questionary; every decision (what applies, what is next,
what a change hides, the score) comes from :mod:`riskcheck.authoring.fill`. Each answer is
saved as soon as it is given, so an interrupted session loses nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from riskcheck.authoring.fill import (
    MAX_LINKS,
    FillState,
    SectionProgress,
    SystemField,
    check_answer,
    check_system_field,
    describe,
    input_hint,
    note_problems,
    parse_typed,
    reference_text,
    save_answers,
    save_system,
    system_fields_to_ask,
    with_notes,
)
from riskcheck.cli.errors import EXIT_INTERRUPTED, EXIT_OK
from riskcheck.core.compiler import CompiledQuestion
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.i18n import _, _n, format_number, use_language
from riskcheck.core.questionnaire import MultipleChoiceQuestion, SingleChoiceQuestion, YesNoQuestion

_HELP = "__help__"
_SKIP = "__skip__"
_FINISH = "__finish__"
_NO_TTY = (
    "riskcheck fill needs an interactive terminal, and {file} was not given one. "
    "To fill in an assessment without a terminal, start it with "
    "`riskcheck new --questionnaire ID -o FILE`, answer the questions in your editor, "
    "then check it with `riskcheck validate FILE`."
)


def _ARROWS() -> str:  # a constant in use, translated when it is shown
    return _("(arrow keys, Enter)")


def _status(status: str) -> str:
    """``complete`` or ``incomplete`` in the language in use (the report's words)."""
    from riskcheck.report.document import status_word

    return status_word(status)


def _severity(severity: str) -> str:
    from riskcheck.report.document import severity_word

    return severity_word(severity)


class _Skip:
    """The person left the question unanswered."""


SKIP = _Skip()


@click.command("fill")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="Ask the questions (text, help, options) in this language, from the questionnaire's catalogue "
    "beside it (QUESTIONNAIRE.LANG.po); answers are saved as the questionnaire defines them.",
)
def command(file: Path, lang: str) -> int:
    """Answer an assessment interactively; saves after every answer and resumes where it stopped."""
    from riskcheck.core.loader import load_assessment

    words: dict[str, str] = {}
    loaded = None
    if lang != "en":
        # A language riskcheck or the questionnaire does not have is said first, terminal or not.
        from riskcheck.core.i18n import check_language
        from riskcheck.report.qcatalog import words_for

        check_language(lang, what="riskcheck")
        loaded = load_assessment(file)
        words = words_for(loaded.questionnaire, lang)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise RiskcheckError(_NO_TTY.format(file=file))
    if loaded is None:
        loaded = load_assessment(file)
    state = FillState.from_loaded(loaded)
    session = _Session(file, state, has_fairness=loaded.file.fairness is not None, words=words)
    # Everything the session says (its prompts, the answers' checks, the live score's
    # findings and hints) in the reader's language; what is saved is never translated.
    with use_language(lang):
        try:
            session.run()
        except (KeyboardInterrupt, EOFError):
            click.echo("", err=True)
            click.echo(
                _n(
                    "Stopped. {count} answer(s) are saved in {file}; "
                    "run `riskcheck fill {file}` to carry on where you stopped.",
                    "Stopped. {count} answer(s) are saved in {file}; "
                    "run `riskcheck fill {file}` to carry on where you stopped.",
                    session.answered(),
                    file=file,
                ),
                err=True,
            )
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    return EXIT_OK


class _Session:
    def __init__(
        self, path: Path, state: FillState, *, has_fairness: bool, words: dict[str, str] | None = None
    ) -> None:
        self.path = path
        self.state = state
        self.has_fairness = has_fairness
        self.skipped: set[str] = state.resume_skips()
        self.last_section: str | None = None
        #: English -> the reader's language for the questionnaire's text (``--lang``); answers are never translated.
        self.words = words or {}

    def t(self, text: str | None) -> str:
        """The questionnaire's ``text`` as the reader reads it."""
        return self.words.get(text, text) if text else (text or "")

    def _describe(self, question: Any, value: Any) -> str:
        """An answer as the reader reads it: an option's label from the questionnaire's catalogue."""
        if isinstance(question, MultipleChoiceQuestion) and value:
            return ", ".join(self.t(question.option_label(o.value)) for o in question.options if o.value in value)
        return self.t(describe(question, value))

    def _progress(self, progress: SectionProgress) -> str:
        """``Section — 2 of 5``, with the section's title in the reader's language."""
        return str(dataclasses.replace(progress, title=self.t(progress.title)))

    def answered(self) -> int:
        return sum(1 for q in self.state.visible_questions() if self.state.is_answered(q.id))

    # ------------------------------------------------------------ the flow

    def run(self) -> None:
        spec = self.state.questionnaire.spec
        name = self.state.system.get("name", "")
        click.secho(f"{self.t(spec.title)} ({spec.id}@{spec.version})", bold=True)
        if name:
            click.echo(_("Assessment: {file} — {name}", file=self.path, name=name))
        else:
            click.echo(_("Assessment: {file}", file=self.path))
        total = len(self.state.visible_questions())
        click.echo(
            _n(
                "{answered} of {count} questions that apply are answered. "
                "Each answer is saved at once; press Ctrl-C to stop and come back later.",
                "{answered} of {count} questions that apply are answered. "
                "Each answer is saved at once; press Ctrl-C to stop and come back later.",
                total,
                answered=self.answered(),
            )
        )
        self._system()
        while True:
            question = self.state.next_question(self.skipped)
            if question is None:
                if self._review():
                    break
                continue
            self._announce(question)
            value = self._ask(question, self.state.values.get(question.id), allow_skip=not question.question.required)
            if isinstance(value, _Skip):
                self.skipped.add(question.id)
                continue
            self._commit(question, value, confirm_change=False)
        self._summary()

    def _system(self) -> None:
        """Ask for the system fields that are missing or still hold the skeleton's placeholder text."""
        fields = system_fields_to_ask(self.state.system)
        if not fields:
            return
        click.echo("")
        click.secho("== {} ==".format(_("About the system")), bold=True)
        click.echo(_("Until these are given, a report of this assessment is a draft and `riskcheck check` fails."))
        for field in fields:
            value = self._system_field(field)
            save_system(self.path, {field.key: value})
            self.state = self.state.with_system({field.key: value})
            click.secho(_("Saved {field}.", field=field.key), fg="green")

    def _system_field(self, field: SystemField) -> Any:
        import questionary

        def validate(text: str) -> bool | str:
            try:
                check_system_field(field, text)
            except ValueError as exc:
                return str(exc)
            return True

        default = dt.date.today().isoformat() if field.key == "assessed_on" else ""
        typed = questionary.text(
            field.prompt, default=default, validate=validate, instruction=f"({field.hint})"
        ).unsafe_ask()
        return check_system_field(field, typed)

    def _announce(self, question: CompiledQuestion) -> None:
        section = question.section
        n, total = self.state.position(question.id)
        if section.id != self.last_section:
            click.echo("")
            click.secho(f"== {self.t(section.title)} ==", bold=True)
            if section.description:
                click.echo(textwrap.fill(" ".join(self.t(section.description).split()), 88))
            self.last_section = section.id
        progress = self.state.section_progress(section.id)
        click.echo("")
        click.secho(
            _(
                "{section} — question {n} of {total} ({answered} answered)",
                section=self.t(section.title),
                n=n,
                total=total,
                answered=progress.answered,
            ),
            dim=True,
        )
        references = question.question.references
        if references:
            refs = ", ".join(reference_text(self.state.questionnaire, r, self.words) for r in references)
            click.secho(_("References: {references}", references=refs), dim=True)

    def _commit(self, question: CompiledQuestion, value: Any, *, confirm_change: bool) -> bool:
        before = self.state
        after = before.with_answer(question.id, None if isinstance(value, _Skip) else value)
        dropped = before.dropped_by(after)
        if confirm_change:
            self._show_change(before, after)
        if dropped:
            click.secho(
                _n(
                    "This answer hides {count} question(s) that no longer apply. Their answers will be dropped:",
                    "This answer hides {count} question(s) that no longer apply. Their answers will be dropped:",
                    len(dropped),
                ),
                fg="yellow",
            )
            for qid in dropped:
                q = before.questionnaire.questions[qid].question
                was = self._describe(q, before.values.get(qid))
                click.echo("  - " + _("{text} (was: {value})", text=self.t(q.text), value=was))
        if dropped or confirm_change:
            import questionary

            prompt = _("Drop those answers and save?") if dropped else _("Save this change?")
            if not questionary.confirm(prompt, default=True).unsafe_ask():
                click.echo(_("Not saved; the answer is unchanged."))
                return False
        save_answers(self.path, before, after, drop=dropped)
        self.state = after.without(dropped)
        self.skipped.discard(question.id)
        progress = self.state.section_progress(question.section.id)
        result = self.state.result()
        click.secho(
            _(
                "Saved. {progress} · tier {tier} (score {score})",
                progress=self._progress(progress),
                tier=self.t(result.tier_label),
                score=format_number(result.score),
            ),
            fg="green",
        )
        return True

    def _show_change(self, before: FillState, after: FillState) -> None:
        old, new = before.result(), after.result()
        values = {
            "old": format_number(old.score),
            "new": format_number(new.score),
            "old_tier": self.t(old.tier_label),
            "new_tier": self.t(new.tier_label),
        }
        if new.blocked:
            click.echo(_("Score {old} -> {new}; tier {old_tier} -> {new_tier}; LAUNCH BLOCKED", **values))
        else:
            click.echo(_("Score {old} -> {new}; tier {old_tier} -> {new_tier}", **values))

    # ------------------------------------------------------------ review

    def _review(self) -> bool:
        """Show every answer with the live score; True when the person is done."""
        import questionary

        result = self.state.result()
        click.echo("")
        click.secho("== {} ==".format(_("Review")), bold=True)
        values = {
            "tier": self.t(result.tier_label),
            "score": format_number(result.score),
            "max": format_number(result.score_max),
            "status": _status(result.status),
            "answered": result.completeness.answered,
            "required": result.completeness.required,
        }
        if self.has_fairness:
            line = _(
                "Tier: {tier}   score {score} of {max}   ({status}, {answered}/{required} required answered) "
                "(questionnaire only; `riskcheck score` adds the fairness figures)",
                **values,
            )
        else:
            line = _(
                "Tier: {tier}   score {score} of {max}   ({status}, {answered}/{required} required answered)", **values
            )
        click.echo(line)
        if result.blocked:
            click.secho(_("LAUNCH BLOCKED by a knock-out finding"), fg="red", bold=True)
        for finding in result.findings:
            click.echo(f"  [{_severity(finding.severity)}] {self.t(finding.message)}")
        choices = []
        for question in self.state.visible_questions():
            value = self._describe(question.question, self.state.values.get(question.id))
            choices.append(questionary.Choice(f"{self.t(question.question.text)}  = {value}", value=question.id))
        choices.append(questionary.Choice(_("Finish"), value=_FINISH))
        picked = questionary.select(
            _("Change an answer, or finish:"), choices=choices, default=choices[-1], instruction=_ARROWS()
        ).unsafe_ask()
        if picked == _FINISH:
            return True
        question = self.state.questionnaire.questions[picked]
        action = questionary.select(
            self.t(question.question.text),
            choices=[
                questionary.Choice(_("Change the answer"), value="answer"),
                questionary.Choice(_("Add or change the comment and evidence links for the reviewers"), value="notes"),
                questionary.Choice(_("Back to the review"), value="back"),
            ],
            instruction=_ARROWS(),
        ).unsafe_ask()
        if action == "notes":
            self._notes(question)
        elif action == "answer":
            self._announce(question)
            value = self._ask(
                question, self.state.values.get(picked), allow_skip=True, skip_title=_("Leave unanswered")
            )
            self._commit(question, value, confirm_change=True)
        return False

    def _links(self, existing: tuple[str, ...]) -> list[str]:
        """Evidence links, one per prompt (a path may hold spaces): each shown link can be
        kept, edited or cleared, then new ones added until an empty line."""
        import questionary

        links: list[str] = []
        index = 0
        while len(links) < MAX_LINKS:
            shown = existing[index] if index < len(existing) else ""
            index += 1
            typed = questionary.text(
                _("Evidence link {n}", n=len(links) + 1),
                default=shown,
                validate=lambda text: next(iter(note_problems("", [text.strip()])), True),
                instruction=_("(a URL or repository path; clear it to remove it)")
                if shown
                else _("(a URL or repository path; Enter on an empty line to finish)"),
            ).unsafe_ask()
            if typed.strip():
                links.append(typed.strip())
            elif index > len(existing):
                break
        return links

    def _notes(self, question: CompiledQuestion) -> None:
        """Ask for the comment and evidence links that go with an answer, and save them."""
        import questionary

        qid = question.id
        comment = questionary.text(
            _("Comment for the reviewers"),
            default=self.state.comments.get(qid) or "",
            validate=lambda text: next(iter(note_problems(text.strip(), ())), True),
            instruction=_("(Enter keeps what is shown; an empty line removes it)"),
        ).unsafe_ask()
        links = self._links(self.state.evidence.get(qid, ()))
        before = self.state
        after = with_notes(before, qid, comment, links)
        if (before.comments.get(qid), before.evidence.get(qid)) == (after.comments.get(qid), after.evidence.get(qid)):
            click.echo(_("Nothing changed."))
            return
        save_answers(self.path, before, after)
        self.state = after
        given = len(after.evidence.get(qid, ()))
        if after.comments.get(qid):
            saved = _n(
                "Saved: a comment and {count} evidence link for {question}.",
                "Saved: a comment and {count} evidence links for {question}.",
                given,
                question=qid,
            )
        else:
            saved = _n(
                "Saved: no comment and {count} evidence link for {question}.",
                "Saved: no comment and {count} evidence links for {question}.",
                given,
                question=qid,
            )
        click.secho(saved, fg="green")

    def _summary(self) -> None:
        result = self.state.result()
        click.echo("")
        click.secho(
            _(
                "Done: tier {tier}, score {score} of {max} ({status}).",
                tier=self.t(result.tier_label),
                score=format_number(result.score),
                max=format_number(result.score_max),
                status=_status(result.status),
            ),
            bold=True,
        )
        click.echo(_("Next: riskcheck score {file}   ·   riskcheck report {file} -o report.pdf", file=self.path))

    # ------------------------------------------------------------ one question

    def _ask(self, question: CompiledQuestion, current: Any, *, allow_skip: bool, skip_title: str | None = None) -> Any:
        spec = question.question
        skip_title = skip_title or _("Skip")
        while True:
            if isinstance(spec, (YesNoQuestion, SingleChoiceQuestion)):
                answer = self._select(spec, current, allow_skip, skip_title)
            elif isinstance(spec, MultipleChoiceQuestion):
                answer = self._checkbox(spec, current, allow_skip)
            else:
                answer = self._text(spec, current, allow_skip)
            if answer == _HELP:
                self._help(question)
                continue
            if answer == _SKIP:
                return SKIP
            return answer

    def _select(self, spec: Any, current: Any, allow_skip: bool, skip_title: str) -> Any:
        import questionary

        if isinstance(spec, YesNoQuestion):
            yes, no = _("Yes"), _("No")
            choices = [questionary.Choice(yes, value="yes"), questionary.Choice(no, value="no")]
            current_value = None if current is None else ("yes" if current else "no")
        else:
            choices = [
                questionary.Choice(self.t(o.label) or o.value, value=o.value, description=self.t(o.help) or None)
                for o in spec.options
            ]
            current_value = current
        if allow_skip:
            choices.append(questionary.Choice(skip_title, value=_SKIP))
        choices.append(questionary.Choice(_("Show help and references"), value=_HELP))
        default = next((c for c in choices if c.value == current_value), None)
        picked = questionary.select(
            self.t(spec.text), choices=choices, default=default, instruction=_ARROWS()
        ).unsafe_ask()
        if picked in (_HELP, _SKIP):
            return picked
        return check_answer(spec, picked)

    def _checkbox(self, spec: MultipleChoiceQuestion, current: Any, allow_skip: bool) -> Any:
        import questionary

        chosen = set(current or ())
        choices = [
            questionary.Choice(
                self.t(o.label) or o.value,
                value=o.value,
                checked=o.value in chosen,
                description=self.t(o.help) or None,
            )
            for o in spec.options
        ]
        choices.append(questionary.Choice(_("Show help and references"), value=_HELP))

        def validate(selected: list[str]) -> bool | str:
            values = [v for v in selected if v != _HELP]
            if _HELP in selected:
                return True
            if not values:
                return True if allow_skip else _("Choose at least one (Space selects, Enter confirms)")
            try:
                check_answer(spec, values)
            except ValueError as exc:
                return str(exc)
            return True

        picked = questionary.checkbox(
            self.t(spec.text), choices=choices, validate=validate, instruction=_("(Space selects, Enter confirms)")
        ).unsafe_ask()
        if _HELP in picked:
            return _HELP
        if not picked:
            return _SKIP
        return check_answer(spec, picked)

    def _text(self, spec: Any, current: Any, allow_skip: bool) -> Any:
        import questionary

        def validate(text: str) -> bool | str:
            if text.strip() == "?":
                return True
            try:
                value = check_answer(spec, parse_typed(spec, text))
            except ValueError as exc:
                return _("{problem} (type ? for help)", problem=exc)
            if value is None and not allow_skip:
                return _("This question needs an answer (type ? for help; Ctrl-C stops and keeps what you saved)")
            return True

        default = "" if current is None else describe(spec, current)
        if spec.type == "number" and current is not None:
            default = f"{current:g}" if isinstance(current, float) else str(current)
        if spec.type == "evidence" and current:
            default = " ".join(current)
        if allow_skip:
            hint = _("({hint}; Enter to skip; ? for help)", hint=input_hint(spec))
        else:
            hint = _("({hint}; ? for help)", hint=input_hint(spec))
        typed = questionary.text(self.t(spec.text), default=default, validate=validate, instruction=hint).unsafe_ask()
        if typed.strip() == "?":
            return _HELP
        value = check_answer(spec, parse_typed(spec, typed))
        return _SKIP if value is None else value

    def _help(self, question: CompiledQuestion) -> None:
        spec = question.question
        click.echo("")
        click.secho(self.t(spec.text), bold=True)
        if spec.help:
            text = " ".join(self.t(spec.help).split())
            click.echo(textwrap.fill(text, 88, initial_indent="  ", subsequent_indent="  "))
        else:
            click.echo("  " + _("(no help text for this question)"))
        if isinstance(spec, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            for option in spec.options:
                if option.help:
                    click.echo(f"  - {self.t(spec.option_label(option.value))}: {self.t(option.help)}")
        if spec.required:
            click.echo("  " + _("Expected: {hint}", hint=input_hint(spec)))
        else:
            click.echo("  " + _("Expected: {hint} (optional)", hint=input_hint(spec)))
        for reference in spec.references:
            text = reference_text(self.state.questionnaire, reference, self.words)
            click.echo("  " + _("Reference: {reference} ({id})", reference=text, id=reference))
        click.echo("")
