"""The report as a format-neutral document: headings, paragraphs, lists, tables, figures.

Built from the same context the HTML templates see (:func:`riskcheck.report.context.build_context`),
so that every format written from it (the Word document today) shows the same sections,
answers, findings, figures and sign-off block as the PDF. Plain frozen data; no
third-party imports, so it is cheap to build and easy to test.

The document's own strings (headings, labels, the cover) go through the gettext
catalogues of :mod:`riskcheck.core.i18n`: ``build_document(..., lang="fr")``. What the
questionnaire and the answers say is shown as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from riskcheck.core.i18n import _, _n, format_date, format_number, use_language
from riskcheck.report.context import format_timestamp, reference_label


@dataclass(frozen=True)
class Run:
    """A piece of text with one look. ``href`` makes it a link.

    ``role`` says what the text is, for a writer that shows it (space-separated names:
    ``badge sev-high``, ``hash``, ``answer-text``); the HTML writer makes them CSS classes,
    the Word writer shows the text alone. A role never carries text of its own.
    """

    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False
    href: str | None = None
    role: str = ""


Inline = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    """Level 0 is the document's title; 1 to 3 are the outline.

    ``text`` is the heading in plain words (the outline's entry); ``runs``, when given,
    are the same words with their looks (a severity badge, a mono id).
    """

    level: int
    text: str
    runs: Inline = ()
    role: str = ""


#: body, note (a small aside), muted (a section's description), callout, blocking, kicker
#: (a small line above a title), subtitle, footnote, draft-mark (the DRAFT stamp, which the
#: PDF repeats in its running header), plain (a line with no paragraph spacing), confidentiality
#: (the cover's marking, which the PDF repeats on every page).
ParagraphStyle = Literal[
    "body",
    "note",
    "muted",
    "callout",
    "blocking",
    "kicker",
    "subtitle",
    "footnote",
    "draft-mark",
    "plain",
    "confidentiality",
]


@dataclass(frozen=True)
class Paragraph:
    runs: Inline
    style: ParagraphStyle = "body"


@dataclass(frozen=True)
class BulletList:
    items: tuple[Inline, ...]
    role: str = ""


@dataclass(frozen=True)
class Cell:
    """A table cell: one paragraph per line."""

    lines: tuple[Inline, ...] = ()
    role: str = ""


#: How a table is shown: ``data`` (a ruled table with a header row), ``key-value`` (labels on
#: the left), ``figures`` (a row of key figures: the header a label, the first line of each cell
#: its value, the rest its detail), ``verdict`` (the cover's two boxes, the same shape), and
#: ``fields`` (a sign-off record with a signature line). Extra names after the first (``data
#: answers``) refine the look.
@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: Column widths in percent of the text width.
    widths: tuple[int, ...]
    footer: tuple[Cell, ...] | None = None
    #: The header column on the left (a key-value table) rather than a header row.
    key_value: bool = False
    style: str = "data"
    #: One role per row (``current-tier``, ``row-breach``), or none.
    row_roles: tuple[str, ...] = ()
    #: One role per column (``num`` for figures), or none.
    column_roles: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.style.split()[0] if self.style else "data"


FigureKind = Literal["tier_scale", "section_bars", "disparities"]


@dataclass(frozen=True)
class Figure:
    """A chart: its geometry (:mod:`riskcheck.report.charts`), drawn by the writer."""

    kind: FigureKind
    chart: Any
    caption: str
    #: The chart's figures in words, for readers who cannot see it.
    alt: str


@dataclass(frozen=True)
class Logo:
    """The organisation's logo (a theme's), as a ``data:`` URI."""

    data_uri: str
    alt: str = "logo"


@dataclass(frozen=True)
class Box:
    """Blocks that belong together and are set apart (a finding, a sign-off block, the DRAFT
    banner); ``role`` names the look (``finding sev-high-box``)."""

    role: str
    blocks: tuple[Block, ...]


Block = Heading | Paragraph | BulletList | Table | Figure | Logo | Box


@dataclass(frozen=True)
class Section:
    """A part of the report (``id``: ``cover``, ``summary``, ``findings`` …).

    ``new_page``: the part starts a page. ``role``: ``cover``, ``part``, ``part appendix``.
    """

    id: str
    blocks: tuple[Block, ...]
    role: str = "part"
    new_page: bool = True


@dataclass(frozen=True)
class Document:
    title: str
    author: str
    subject: str
    keywords: str
    #: The document's date (the assessment date); None for a draft without one.
    created: dt.datetime | None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    #: The language of the document's own strings (a BCP 47 tag: en, fr, de).
    lang: str = "en"

    def section(self, ident: str) -> Section | None:
        """The part ``ident``, or None when this report has none (no fairness block)."""
        return next((s for s in self.sections if s.id == ident), None)

    def sections_from(self, *idents: str) -> tuple[Section, ...]:
        """The parts named that this report has, in the document's order."""
        return tuple(s for s in self.sections if s.id in idents)


def walk(blocks: Sequence[Block | Section]) -> Iterator[Block]:
    """Every block in reading order, inside sections and boxes too (a box itself is not yielded)."""
    for block in blocks:
        if isinstance(block, (Section, Box)):
            yield from walk(block.blocks)
        else:
            yield block


# ---------------------------------------------------------------- small builders


def run(text: Any, **look: Any) -> Run:
    return Run(str(text), **look)


def para(*parts: str | Run, style: ParagraphStyle = "body") -> Paragraph:
    return Paragraph(tuple(p if isinstance(p, Run) else Run(p) for p in parts if p != ""), style)


def rich(template: str, **values: str | Run) -> list[str | Run]:
    """A translated sentence whose ``{placeholders}`` are runs of their own (a bold tier, a mono id)."""
    parts: list[str | Run] = []
    for index, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if index % 2:
            parts.append(values[piece])
        elif piece:
            parts.append(piece)
    return parts


def cell(*lines: str | Run | Inline, role: str = "") -> Cell:
    out: list[Inline] = []
    for line in lines:
        if isinstance(line, tuple):
            out.append(line)
        elif isinstance(line, Run):
            out.append((line,))
        elif line != "":
            out.append((Run(line),))
    return Cell(tuple(out), role)


def link(item: Mapping[str, Any]) -> Run:
    return Run(str(item["text"]), href=item["href"]) if item.get("href") else Run(str(item["text"]), mono=True)


def num(value: Any, decimals: int = 2, whole: bool = True) -> str:
    if value is None:
        return "n/a"
    return format_number(float(value), decimals, whole)


def yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def state_word(state: str) -> str:
    """A sign-off state or status in words."""
    words = {
        "missing": _("missing"),
        "pending": _("pending"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "stale": _("stale"),
        "current": _("current"),
        "approve": _("approve"),
        "reject": _("reject"),
    }
    return words.get(state, state)


def status_word(status: str) -> str:
    """The completeness status in words."""
    return {"complete": _("complete"), "incomplete": _("incomplete")}.get(status, status)


def severity_word(severity: str) -> str:
    words = {
        "critical": _("critical"),
        "high": _("high"),
        "medium": _("medium"),
        "low": _("low"),
        "info": _("info"),
    }
    return words.get(severity, severity)


def day(value: Any) -> str:
    return format_date(value) if value else ""


def label(text: str) -> Run:
    """A label at the head of a line (``Required mitigation``)."""
    return Run(text + " ", bold=True, role="label-inline")


def severity_badge(level: str) -> Run:
    """A severity in words, marked as a badge (its CSS class keeps the value)."""
    return Run(severity_word(level), bold=True, role=f"badge sev-{level}")


def state_badge(state: str) -> Run:
    return Run(state_word(state), bold=True, role=f"badge state-{state}")


def tier_badge(result: Mapping[str, Any]) -> Run:
    return Run(str(result["tier_label"]), bold=True, role=f"badge tier tier-{result.get('tier_index', 0)}")


# ---------------------------------------------------------------- the report


def build_document(data: Mapping[str, Any], *, created: dt.datetime | None, lang: str = "en") -> Document:
    """The report from the template context (with ``keywords``), part by part as in ``report.html``."""
    with use_language(lang):
        system = data["system"]
        questionnaire = data["questionnaire"]
        sections: list[Section] = [
            Section("cover", tuple(_cover(data)), role="cover", new_page=False),
            Section("summary", tuple(_summary(data))),
            # Findings and fairness follow on from the summary.
            Section("findings", tuple(_findings(data)), new_page=False),
        ]
        if data.get("fairness"):
            sections.append(Section("fairness", tuple(_fairness(data)), new_page=False))
        sections.append(Section("answers", tuple(_answers(data))))
        sections.append(Section("signoff", tuple(_signoff(data))))
        sections += _appendices(data)
        if data.get("archived_answers"):
            sections.append(_appendix("appendix-archived", _archived(data)))
        if data.get("evidence_register"):
            sections.append(_appendix("appendix-evidence", _evidence(data)))
        if data.get("change_log") is not None:
            sections.append(
                _appendix("appendix-changelog", _change_log(data["change_log"], data["appendix"]["changelog"]))
            )
        result = data["result"]
        return Document(
            title=_("Risk assessment: {name} {version}", name=system.get("name"), version=system.get("version")),
            author=str(system.get("owner") or ""),
            subject=_(
                "riskcheck sign-off report: {title} ({id}@{version}), tier {tier}",
                title=questionnaire["title"],
                id=questionnaire["id"],
                version=questionnaire["version"],
                tier=result["tier_label"],
            ),
            keywords=str(data.get("keywords") or ""),
            created=created if data.get("assessed_on") else None,
            sections=tuple(sections),
            lang=lang,
        )


def _appendix(ident: str, blocks: Sequence[Block], new_page: bool = False) -> Section:
    """An appendix: the first starts a page, the others follow on."""
    return Section(ident, tuple(blocks), role="part appendix", new_page=new_page)


def _refs(references: Sequence[str]) -> str:
    return "; ".join(_reference(r) for r in references)


def _reference(reference: str) -> str:
    """``eu-ai-act:art-10(2)`` as the PDF writes it (``EU AI Act Art. 10(2)``), in the current language."""
    return reference_label(reference, _frameworks())


def _frameworks() -> Mapping[str, str]:
    from riskcheck.report.context import KNOWN_FRAMEWORKS

    return KNOWN_FRAMEWORKS


def _cover(data: Mapping[str, Any]) -> list[Block]:
    result, system, signoff = data["result"], data["system"], data["signoff"]
    theme = data.get("theme")
    questionnaire, classification = data["questionnaire"], data.get("classification")
    band: list[Block] = []
    logo, organisation = getattr(theme, "logo_data_uri", None), getattr(theme, "organisation", None)
    if logo or organisation:
        org: list[Block] = [Logo(str(logo), _("logo"))] if logo else []
        if organisation:
            org.append(para(str(organisation), style="plain"))
        band.append(Box("org", tuple(org)))
    band.append(para(_("AI risk assessment \u00b7 sign-off report"), style="kicker"))
    band.append(Heading(0, str(system.get("name")), role="system-name"))  # the PDF's outline names it "Cover"
    band.append(para(_("Version {version}", version=system.get("version")), style="subtitle"))
    body: list[Block] = []
    if data.get("draft"):
        reasons = BulletList(tuple((Run(str(r)),) for r in data["draft"]))
        banner = (
            para(_("DRAFT"), style="draft-mark"),
            para(_("This report is a draft, not a record to sign, because:"), style="plain"),
            reasons,
        )
        body.append(Box("draft-banner", banner))
    detail = _("Score {score} of {max}", score=num(result["score"]), max=num(result["score_max"]))
    roles = " \u00b7 ".join(f"{row['role']}: {state_word(row['state'])}" for row in signoff["rows"])
    notes = signoff.get("cover_notes")
    if notes is None:  # a context from before the cover grouped its notes
        notes = [row["record"]["note"] for row in signoff["rows"] if row["record"] and row["record"].get("note")]
    blocked = (Run(" \u00b7 "), Run(_("launch blocked"), bold=True)) if result["blocked"] else ()
    body.append(
        Table(
            (_("Overall risk tier"), _("Sign-off status")),
            (
                (
                    cell(tier_badge(result), (Run(detail), *blocked)),
                    cell(
                        state_badge(signoff["status"]),
                        roles or _("No roles declared by the questionnaire"),
                        *(run(n, role="stale-note") for n in notes),
                    ),
                ),
            ),
            (50, 50),
            style="verdict",
        )
    )
    facts: list[tuple[Cell, ...]] = [
        (
            cell(_("System")),
            cell(_("{name}, version {version}", name=system.get("name"), version=system.get("version"))),
        ),
        (cell(_("Owner")), cell(str(system.get("owner")))),
        (cell(_("Purpose")), cell(str(system.get("purpose")))),
        (cell(_("Date of assessment")), cell(day(data.get("assessed_on")) or _("not stated in the assessment"))),
        (
            cell(_("Questionnaire")),
            cell(
                str(questionnaire["title"]),
                run(f"{questionnaire['id']}@{questionnaire['version']}", mono=True),
            ),
        ),
    ]
    if classification and classification.get("label"):
        facts.append((cell(str(classification["title"])), cell(str(classification["label"]))))
    completeness = result["completeness"]
    facts.append(
        (
            cell(_("Completeness")),
            cell(
                _(
                    "{answered} of {required} required questions answered ({status})",
                    answered=completeness["answered"],
                    required=completeness["required"],
                    status=status_word(result["status"]),
                )
            ),
        )
    )
    # The running header repeats the hash from here.
    facts.append((cell(_("Content sha256")), cell(run(result["hashes"]["content"], mono=True, role="running-hash"))))
    body.append(Table((), tuple(facts), (30, 70), key_value=True, style="key-value cover-facts"))
    generated = rich(
        _(
            "Generated by riskcheck {version} from the assessment file and its questionnaire. "
            "A sign-off records a decision against the content sha256 above, which covers all this report "
            "shows but the sign-offs; any later change makes it stale."
        ),
        version=run(data.get("tool_version"), role="running-version"),
    )
    footer = (para(str(data.get("confidentiality") or ""), style="confidentiality"), para(*generated, style="plain"))
    return [Box("cover-band", tuple(band)), Box("cover-body", tuple(body)), Box("cover-footer", footer)]


def _summary(data: Mapping[str, Any]) -> list[Block]:
    result, classification, findings = data["result"], data.get("classification"), data["findings"]
    blocking = int(data["blocking_count"])
    blocks: list[Block] = [Heading(1, _("Executive summary"))]
    if result["blocked"]:
        blocks.append(
            para(
                _n(
                    "Launch is blocked: {count} finding blocks launch whatever the score.",
                    "Launch is blocked: {count} findings block launch whatever the score.",
                    blocking,
                ),
                style="blocking",
            )
        )
    completeness = result["completeness"]
    count = len(result["findings"])
    classified = classification["label"] if classification and classification.get("label") else _("not classified")
    blocks.append(
        Table(
            (
                _("Risk tier"),
                _("Blocking findings"),
                _("Completeness"),
                str(classification["title"]) if classification else _("Regulatory class"),
            ),
            (
                (
                    cell(
                        run(result["tier_label"], bold=True),
                        _("score {score} of {max}", score=num(result["score"]), max=num(result["score_max"])),
                    ),
                    cell(run(blocking, bold=True), _n("{count} finding in all", "{count} findings in all", count)),
                    cell(
                        run(f"{round(100 * completeness['share'])}%", bold=True),
                        _(
                            "{answered} of {required} required answered",
                            answered=completeness["answered"],
                            required=completeness["required"],
                        ),
                    ),
                    cell(run(classified, bold=True)),
                ),
            ),
            (25, 25, 25, 25),
            style="figures",
        )
    )
    if classification:
        blocks.append(Heading(2, str(classification["title"])))
        if classification.get("label"):
            parts = rich(
                _("The questionnaire classifies this system as {label}."),
                label=run(classification["label"], bold=True),
            )
        else:
            parts = [_("The questionnaire's classification did not reach a class for this system.")]
        if classification.get("references"):
            parts.append(" " + _("The articles it rests on:"))
        blocks.append(para(*parts))
        if classification.get("references"):
            blocks.append(BulletList(tuple((Run(_refs([r])),) for r in classification["references"]), "articles"))
        if classification.get("flags"):
            blocks.append(para(_("Additional duties flagged:")))
            blocks.append(BulletList(tuple((Run(str(f["label"])),) for f in classification["flags"]), "articles"))
    blocks += _timeline(data)
    blocks.append(Heading(2, _("Tier and thresholds")))
    blocks.append(para(*_tier_text(result)))
    blocks.append(
        Figure(
            "tier_scale",
            data["tier_scale"],
            _("Figure 1. The score on the tier scale; the outlined band is this system's tier."),
            _tier_alt(data["tier_scale"]),
        )
    )
    impact = result["scoring_model"] == "impact_mitigation"
    blocks.append(
        Table(
            (_("Tier"), _("Ends at (points)") if impact else _("From score"), _("This assessment")),
            tuple(
                (
                    cell(str(tier["label"])),
                    cell(num(tier["threshold"])),
                    cell("\u25b6 " + _("this tier") if tier["id"] == result["tier"] else ""),
                )
                for tier in result["tiers"]
            ),
            (40, 22, 38),
            row_roles=tuple("current-tier" if tier["id"] == result["tier"] else "" for tier in result["tiers"]),
            column_roles=("", "num", ""),
        )
    )
    if data.get("section_chart"):
        blocks.append(Heading(2, _("Score by section")))
        chart = data["section_chart"]
        bars = "; ".join(f"{b.label} {b.value_label}" for b in chart.bars)
        blocks.append(
            Figure(
                "section_bars",
                chart,
                _("Figure 2. Risk points per section as a share of the section's maximum (higher means more risk)."),
                _("Risk points per section as a share of the section's maximum: {bars}.", bars=bars),
            )
        )
    blocks.append(Heading(2, _("Findings at a glance")))
    if findings:
        blocks.append(
            Table(
                (_("Severity"), _("Finding"), _("Blocks launch")),
                tuple(
                    (cell(severity_badge(f["severity"])), cell(str(f["message"])), cell(yes_no(f["blocks_launch"])))
                    for f in findings
                ),
                (14, 72, 14),
            )
        )
    else:
        blocks.append(para(_("No rule fired and no fairness threshold was breached.")))
    if completeness.get("missing"):
        missing = ", ".join(data["missing_numbers"])
        blocks.append(para(_("Unanswered required questions: {numbers}.", numbers=missing), style="callout"))
    return blocks


def _tier_text(result: Mapping[str, Any]) -> list[str | Run]:
    trace = result["trace"]
    parts = rich(_("The assessment is in tier {tier}."), tier=run(result["tier_label"], bold=True))
    parts.append(" ")
    impact = result.get("impact")
    if result["scoring_model"] == "impact_mitigation" and impact:
        applied = (
            _("the reduction applies")
            if impact["reduction_applied"]
            else _("below the level that reduces the impact score")
        )
        parts.append(
            _(
                "The raw impact score is {raw} of {raw_max}; mitigation scored {mitigation} of {mitigation_max} "
                "({applied}), giving an adjusted score of {adjusted}.",
                raw=num(impact["raw"]),
                raw_max=num(impact["raw_max"]),
                mitigation=num(impact["mitigation"]),
                mitigation_max=num(impact["mitigation_max"]),
                applied=applied,
                adjusted=num(impact["adjusted"]),
            )
            + " "
        )
    else:
        parts.append(
            _(
                "Its weighted score is {score} on a scale of 0 to {max}.",
                score=num(result["score"]),
                max=num(result["score_max"]),
            )
            + " "
        )
    if trace.get("escalated_by"):
        parts.append(
            _(
                "The score alone gives tier {tier}; the tier was raised by {rules}.",
                tier=trace["tier_from_score"],
                rules=", ".join(trace["escalated_by"]),
            )
            + " "
        )
    following = trace.get("next_tier")
    if following:
        values = {"tier": following["id"], "threshold": num(following["threshold"])}
        values["distance"] = num(following["distance"])
        if result["scoring_model"] == "impact_mitigation":
            parts.append(_("The next tier, {tier}, starts above {threshold} ({distance} away).", **values))
        else:
            parts.append(_("The next tier, {tier}, starts at {threshold} ({distance} away).", **values))
    else:
        parts.append(_("This is the highest tier."))
    return parts


def _tier_alt(chart: Any) -> str:
    bands = ", ".join(b.label + (" " + _("(this system)") if b.current else "") for b in chart.bands)
    return _("Score {score} on the tier scale: {bands}.", score=chart.marker_label, bands=bands)


def _timeline(data: Mapping[str, Any]) -> list[Block]:
    result, classification = data["result"], data.get("classification")
    duties = list((classification or {}).get("duties") or [])
    blocks: list[Block] = []
    if duties:
        blocks.append(Heading(2, _("Duties and when they apply")))
        text = ""
        if classification and classification.get("applies_from"):
            text += _("The rules of this class apply from {date}.", date=day(classification["applies_from"])) + " "
        if result.get("as_of"):
            text += _("Dated against {date}.", date=day(result["as_of"]))
        else:
            text += _("Dated against no assessment date (each duty keeps its date).")
        now = sum(1 for d in duties if d["status"] == "applies_now")
        later = sum(1 for d in duties if d["status"] == "applies_later")
        text += " " + _n("{now} of {count} applies now", "{now} of {count} apply now", len(duties), now=now)
        text += _("; {later} later.", later=later) if later else "."
        blocks.append(para(text))
        current = [d for d in duties if d["status"] == "applies_now"]
        others = sorted(
            (d for d in duties if d["status"] != "applies_now"), key=lambda d: str(d.get("applies_from") or "")
        )
        rows = [(cell(str(d["when"])), cell(str(d["label"])), cell(_refs(d["references"]))) for d in current]
        rows += [(cell(run(d["when"], bold=True)), cell(str(d["label"])), cell(_refs(d["references"]))) for d in others]
        blocks.append(Table((_("When"), _("Duty"), _("Legal basis")), tuple(rows), (24, 52, 24), style="data timeline"))
    law = result.get("law_as_at")
    if law:
        secondary = " " + _("(reported by secondary sources)")
        sources = "; ".join(f"{s['title']}{secondary if s.get('kind') == 'secondary' else ''}" for s in law["sources"])
        text = _("Law as at {date}: the questionnaire reflects {sources}.", date=day(law["date"]), sources=sources)
        blocks.append(para(text, style="note"))
    return blocks


def _findings(data: Mapping[str, Any]) -> list[Block]:
    findings = data["findings"]
    blocks: list[Block] = [Heading(1, _("Findings"))]
    if not findings:
        blocks.append(para(_("No findings: no rule fired and no fairness threshold was breached.")))
        return blocks
    blocks.append(
        para(
            _n("{count} finding, most severe first.", "{count} findings, most severe first.", len(findings))
            + " "
            + _("Each states the mitigation the questionnaire requires before launch.")
        )
    )
    for f in findings:
        blocking = _("blocks launch") if f["blocks_launch"] else ""
        title = " ".join(p for p in (severity_word(f["severity"]), blocking, str(f["message"]), str(f["id"])) if p)
        looks = [severity_badge(f["severity"]), Run(" ")]
        if blocking:
            looks += [Run(blocking, bold=True, role="badge blocking"), Run(" ")]
        looks += [Run(f"{f['message']} "), Run(str(f["id"]), mono=True, role="finding-id")]
        card: list[Block] = [Heading(3, title, tuple(looks))]
        card.append(Box("mitigation", (para(label(_("Required mitigation")), str(f["mitigation"]), style="plain"),)))
        if f.get("reference_labels"):
            card.append(para(label(_("References")), "; ".join(f["reference_labels"]), style="plain"))
        if f.get("triggers"):
            card.append(para(label(_("Triggered by")), style="plain"))
            card.append(
                BulletList(
                    tuple(
                        (
                            Run(f"{t['number']} " if t.get("number") else "", role="qnum"),
                            Run(f"{t['text']}: "),
                            Run(str(t["value"]), bold=True),
                        )
                        for t in f["triggers"]
                    )
                )
            )
        blocks.append(Box(f"finding sev-{f['severity']}-box", tuple(card)))
    return blocks


def _fairness(data: Mapping[str, Any]) -> list[Block]:
    fairness = data["fairness"]
    sensitive = " \u00d7 ".join(fairness["sensitive"]) if fairness.get("sensitive") else _("sensitive group")
    groups = len(fairness.get("groups") or ())
    text = _n(
        "Measured on {rows} rows ({task}, {engine} engine), by {sensitive}: {count} group.",
        "Measured on {rows} rows ({task}, {engine} engine), by {sensitive}: {count} groups.",
        groups,
        rows=num(fairness.get("rows")),
        task=fairness.get("task"),
        engine=fairness.get("engine"),
        sensitive=sensitive,
    )
    if fairness.get("confidence") and fairness.get("replicates"):
        text += " " + _(
            "Intervals are {confidence}% bootstrap intervals from {replicates} replicates.",
            confidence=round(100 * fairness["confidence"]),
            replicates=num(fairness["replicates"]),
        )
    blocks: list[Block] = [Heading(1, _("Fairness")), para(text)]
    if fairness.get("findings"):
        n = len(fairness["findings"])
        intro = _n(
            "{count} fairness finding: {breaches} from the assessment's thresholds, {rules} from the "
            "questionnaire's rules (each is listed under Findings):",
            "{count} fairness findings: {breaches} from the assessment's thresholds, {rules} from the "
            "questionnaire's rules (each is listed under Findings):",
            n,
            breaches=fairness["breach_count"],
            rules=fairness["rule_finding_count"],
        )
        listed = BulletList(
            tuple((Run(f"{f['message']} "), Run(f"({f['id']})", mono=True)) for f in fairness["findings"])
        )
        blocks.append(Box("callout blocking", (para(intro, style="plain"), listed)))
    else:
        blocks.append(para(_("No fairness finding: every test of a figure below holds.")))
    blocks.append(Heading(2, _("Disparities")))
    if fairness.get("chart"):
        chart = fairness["chart"]
        failed = " " + _("(failed a test)")
        alt = "; ".join(f"{r.label} {r.value_label}{failed if r.breach else ''}" for r in chart.rows)
        blocks.append(
            Figure(
                "disparities",
                chart,
                _(
                    "Figure 3. Disparities between groups. A filled square and \u2717 mark a figure that failed a "
                    "test (a threshold or a rule); an open circle passed every test or was not judged. "
                    "The table below lists each test."
                ),
                _("Disparities between groups, point estimate and interval: {rows}.", rows=alt),
            )
        )
    rows = []
    for d in fairness["disparity_rows"]:
        tests: list[Inline] = []
        for t in d["tests"]:
            mark = f"\u2717 {t['outcome']}" if t["failed"] else f"\u2713 {t['outcome']}"
            line: list[Run] = [Run(mark, bold=bool(t["failed"])), Run(f": {t['text']}")]
            if t.get("condition"):
                line.append(Run(f" ({t['condition']})", mono=True))
            tests.append(tuple(line))
        if not tests:
            tests.append((Run(_("not judged: no threshold and no rule reads it"), italic=True, role="muted"),))
        interval = (
            f"[{num(d['ci_low'], 4, False)}, {num(d['ci_high'], 4, False)}]"
            if d["ci_low"] is not None and d["ci_high"] is not None
            else "\u2014"
        )
        rows.append(
            (
                cell(str(d["name"]).replace("_", " ")),
                cell(_("undefined") if d["value"] is None else num(d["value"], 4, False)),
                cell(interval),
                cell(*tests),
                cell(" vs ".join(str(g) for g in d["groups"])),
            )
        )
    header = (_("Disparity"), _("Value"), _("Interval"), _("Tests and outcomes"), _("Groups"))
    blocks.append(
        Table(
            header,
            tuple(rows),
            (19, 9, 16, 42, 14),
            style="data disparities",
            row_roles=tuple("row-breach" if d["status"] == "breach" else "" for d in fairness["disparity_rows"]),
            column_roles=("", "num", "num", "", ""),
        )
    )
    blocks.append(Heading(2, _("Metrics by group")))
    group_rows = tuple(
        (
            cell(str(g["name"]) + (" \u2020" if g["left_out"] else "")),
            *(cell(str(c["text"]) + (" \u2021" if c["note"] else "")) for c in g["cells"]),
        )
        for g in fairness["group_rows"]
    )
    columns = len(fairness["columns"])
    first = 14 if columns > 6 else 22
    rest = (100 - first) // max(columns, 1)
    blocks.append(
        Table(
            (_("Group"), *(str(label) for label in fairness["column_labels"])),
            group_rows,
            (first, *(rest for _column in range(columns))),
            footer=(cell(_("All rows")), *(cell(str(t)) for t in fairness["overall_cells"])),
            style="data by-group",
            row_roles=tuple("left-out" if g["left_out"] else "" for g in fairness["group_rows"]),
            column_roles=("", *("num" for _column in range(columns))),
        )
    )
    if fairness.get("column_legend"):
        legend = "; ".join(f"{short}: {long}" for short, long in fairness["column_legend"])
        blocks.append(para(f"{legend}.", style="note"))
    if fairness.get("left_out"):
        left = "; ".join(f"{e['group']} ({e['reason']})" for e in fairness["left_out"])
        text = _("Insufficient evidence; left out of the disparities: {groups}.", groups=left)
        blocks.append(para("\u2020 " + text, style="note"))
    if fairness.get("rate_notes"):
        notes = "; ".join(
            f"{e['group']}, {str(e['metric']).replace('_', ' ')} ({e['reason']})" for e in fairness["rate_notes"]
        )
        text = _("Rate left out for insufficient evidence: {rates}.", rates=notes)
        blocks.append(para("\u2021 " + text, style="note"))
    blocks.append(
        para(
            _('"undefined" marks a rate with no rows to compute it from (for example no positives in a group).'),
            style="note",
        )
    )
    if fairness.get("warnings"):
        blocks.append(Heading(3, _("Warnings")))
        blocks.append(BulletList(tuple((Run(str(w)),) for w in fairness["warnings"])))
    blocks.append(Heading(2, _("Evidence")))
    evidence: list[tuple[Cell, ...]] = [
        (cell(str(label)), cell(run(value, mono=True))) for label, value in fairness.get("source") or ()
    ]
    smallest = fairness.get("smallest_group")
    if smallest:
        evidence.append(
            (
                cell(_("Smallest group")),
                cell(
                    _(
                        "{groups}: {size} rows",
                        groups=", ".join(str(g) for g in smallest["groups"]),
                        size=num(smallest["size"]),
                    )
                ),
            )
        )
    evidence.append((cell(_("Data sha256")), cell(run(fairness.get("data_sha256"), mono=True))))
    model = fairness.get("model_sha256") or _("none (predictions or scores read from the data)")
    evidence.append((cell(_("Model sha256")), cell(run(model, mono=True))))
    blocks.append(Table((), tuple(evidence), (28, 72), key_value=True, style="key-value data"))
    return blocks


def _answers(data: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        Heading(1, _("Answers")),
        para(
            _(
                "The answers as they count for scoring, section by section. Questions that do not apply "
                "(their conditions are not met) are left out; unanswered questions are marked."
            )
        ),
    ]
    for section in data["answer_sections"]:
        blocks.append(Heading(2, f"{section['number']}. {section['title']}"))
        if section.get("description"):
            blocks.append(para(str(section["description"]), style="muted"))
        if not section["visible"] or not section["rows"]:
            blocks.append(para(_("This section does not apply to this system."), style="muted"))
        else:
            rows = []
            for row in section["rows"]:
                ident = row["id"] + (f" \u00b7 {_refs(row['references'])}" if row["references"] else "")
                answer: list[Inline] = []
                if not row["answered"]:
                    unanswered = _("Not answered (required)") if row["required"] else _("Not answered")
                    answer.append((Run(unanswered, italic=True, role="unanswered"),))
                answer += [(Run(str(line), role="answer-text"),) for line in row["lines"]]
                answer += [(Run("\u2022 "), link(item)) for item in row["links"]]
                if row.get("comment"):
                    answer.append((Run(str(row["comment"]), italic=True, role="comment answer-text"),))
                if row["evidence"]:
                    answer.append((Run(_("Evidence:"), italic=True, role="muted-note"),))
                    answer += [(Run("\u2022 "), link(item)) for item in row["evidence"]]
                rows.append(
                    (
                        cell(str(row["number"]), role="no"),
                        Cell(((Run(str(row["text"])),), (Run(ident, mono=True, role="qid"),)), role="q"),
                        Cell(tuple(answer)),
                    )
                )
            header = (_("No."), _("Question"), _("Answer"))
            blocks.append(Table(header, tuple(rows), (7, 50, 43), style="data answers"))
        hidden = int(section.get("hidden") or 0)
        if hidden:
            blocks.append(
                para(
                    _n(
                        "{count} question in this section does not apply and is left out.",
                        "{count} questions in this section do not apply and are left out.",
                        hidden,
                    ),
                    style="note",
                )
            )
    return blocks


def _signoff(data: Mapping[str, Any]) -> list[Block]:
    signoff, result = data["signoff"], data["result"]
    blocks: list[Block] = [
        Heading(1, _("Sign-off")),
        para(
            *rich(
                _(
                    "Status: {status}. A decision is {current} when it was recorded against this report's content "
                    "sha256 {hash}, which covers everything this report shows except the sign-off records: the "
                    "system block, the questionnaire, every answer with its comment and evidence, the fairness "
                    "settings and evidence, and local evidence files. It is {stale} once any of them changed after "
                    "it was recorded."
                ),
                status=state_badge(signoff["status"]),
                current=run(_("current"), italic=True),
                hash=run(result["hashes"]["content"], mono=True, role="hash"),
                stale=run(_("stale"), italic=True),
            ),
            "\u00b9",
        ),
    ]
    for row in signoff["rows"]:
        record = row["record"]
        role = str(row["role"]).capitalize()
        heading = Heading(
            2, f"{role} {state_word(row['state'])}", (Run(f"{role} "), state_badge(row["state"])), role="signoff-role"
        )
        decision = ""
        if record:
            decision = f"{state_word(record['decision'])} ({state_word('current' if record['current'] else 'stale')})"
        fields: list[tuple[Cell, ...]] = [
            (cell(_("Role")), cell(str(row["role"]))),
            (cell(_("Name")), cell(str(record["name"]) if record else "")),
            (cell(_("Decision")), cell(decision)),
            (cell(_("Date")), cell(format_timestamp(str(record["timestamp"])) if record else "")),
        ]
        if record and record.get("comment"):
            fields.append((cell(_("Comment")), cell(run(record["comment"], role="answer-text"))))
        if record and record.get("note"):
            fields.append((cell(_("Why it is stale")), cell(run(record["note"], role="answer-text stale-note"))))
        # Room to sign by hand on a printed copy.
        fields.append((cell(_("Signature")), cell(run("\n\n", role="signature-line"))))
        table = Table(
            (),
            tuple(fields),
            (22, 78),
            key_value=True,
            style="key-value signoff-fields",
            row_roles=(*("" for _field in fields[:-1]), "signature"),
        )
        blocks.append(Box(f"signoff-block row-{row['state']}", (heading, table)))
    if not signoff["rows"]:
        blocks.append(para(_("The questionnaire declares no required roles."), style="muted"))
    if signoff["others"]:
        blocks.append(Heading(2, _("Other sign-off records")))
        rows = []
        for r in signoff["others"]:
            remark = [
                run(line, role=look)
                for line, look in ((r.get("comment"), "answer-text"), (r.get("note"), "stale-note"))
                if line
            ]
            rows.append(
                (
                    cell(str(r["role"])),
                    cell(str(r["name"])),
                    cell(state_word(str(r["decision"]))),
                    cell(format_timestamp(str(r["timestamp"]))),
                    cell(*remark),
                    cell(state_word("current" if r["current"] else "stale")),
                )
            )
        header = (_("Role"), _("Name"), _("Decision"), _("Date"), _("Comment"), _("Record"))
        blocks.append(
            Table(
                header,
                tuple(rows),
                (12, 18, 11, 15, 32, 12),
                style="data signoff",
                row_roles=tuple("" if r["current"] else "row-stale" for r in signoff["others"]),
            )
        )
    blocks.append(
        para(
            "\u00b9 ",
            *rich(
                _(
                    "Record a decision with {command}, or with the sign-off form of {serve}. A handwritten "
                    "signature on a printed copy does not update the assessment file."
                ),
                command=run("riskcheck sign FILE --role ROLE --name NAME --decision approve|reject", mono=True),
                serve=run("riskcheck serve", mono=True),
            ),
            style="footnote",
        )
    )
    return blocks


def _appendices(data: Mapping[str, Any]) -> list[Section]:
    """Appendices A to C: the framework index, the scoring trace, hashes and provenance."""
    return [
        _appendix("appendix-frameworks", _framework_index(data), new_page=True),
        _appendix("appendix-trace", _scoring_trace(data)),
        _appendix("appendix-hashes", _provenance(data)),
    ]


def _framework_index(data: Mapping[str, Any]) -> list[Block]:
    questionnaire = data["questionnaire"]
    blocks: list[Block] = [
        Heading(1, _("Appendix A. Framework index")),
        para(
            *rich(
                _(
                    "Each framework clause that applies to this system, with the questions that address it and the "
                    "findings that cite it. Clauses reached only through questions that do not apply here are left "
                    "out; {command} lists them all."
                ),
                command=run(f"riskcheck coverage {questionnaire['id']}", mono=True),
            )
        ),
    ]
    for framework in data["framework_index"]:
        blocks.append(Heading(2, str(framework["title"])))
        rows = tuple(
            (
                cell(str(c["clause"])),
                cell(run(", ".join(c["questions"]) or "\u2014", mono=True)),
                cell(run(", ".join([*c["findings"], *c["classification"]]) or "\u2014", mono=True)),
            )
            for c in framework["clauses"]
        )
        blocks.append(Table((_("Clause"), _("Questions"), _("Findings")), rows, (20, 40, 40)))
    if not data["framework_index"]:
        blocks.append(para(_("The questionnaire refers to no framework clauses.")))
    return blocks


def _scoring_trace(data: Mapping[str, Any]) -> list[Block]:
    result, trace = data["result"], data["trace"]
    blocks: list[Block] = [Heading(1, _("Appendix B. Scoring trace"))]
    blocks.append(Heading(2, _("Points by answer")))
    unscored = int(trace["unscored_count"])
    if unscored:
        text = _n(
            "The answers that scored risk points; {count} other answer scored none "
            "(the attached result lists every one).",
            "The answers that scored risk points; {count} other answers scored none "
            "(the attached result lists every one).",
            unscored,
        )
    else:
        text = _("The answers that scored risk points.")
    blocks.append(para(text))
    blocks.append(
        Table(
            (_("Question"), _("Section"), _("Answer"), _("Points"), _("Max")),
            tuple(
                (
                    cell((Run(f"{c['number']} ", bold=True, role="qnum"), Run(str(c["text"])))),
                    cell(str(c["section_title"])),
                    cell(run(c["value_text"], role="answer-text")),
                    cell(num(c["points"])),
                    cell(num(c["max"])),
                )
                for c in trace["contribution_rows"]
            ),
            (40, 16, 26, 9, 9),
            column_roles=("", "", "", "num", "num"),
        )
    )
    blocks.append(Heading(2, _("Sections")))
    blocks.append(
        Table(
            (_("Section"), _("Points"), _("Max"), _("Share"), _("Weight"), _("Applies")),
            tuple(
                (
                    cell(str(s["title"])),
                    cell(num(s["points"])),
                    cell(num(s["max"])),
                    cell("n/a" if s["share"] is None else num(100 * s["share"], 1, False) + "%"),
                    cell(num(s["weight"])),
                    cell(yes_no(s["visible"])),
                )
                for s in result["sections"]
            ),
            (40, 12, 12, 12, 12, 12),
            column_roles=("", "num", "num", "num", "num", ""),
        )
    )
    blocks.append(Heading(2, _("Rules fired")))
    if trace["rule_rows"]:
        blocks.append(
            Table(
                (_("Rule"), _("Answers and figures it read")),
                tuple(
                    (
                        cell(str(r["message"] or r["id"]), run(f"{r['id']}: {r['when']}", mono=True, role="muted")),
                        cell(*(f"\u2022 {v['name']}: {v['value']}" for v in r["value_rows"])),
                    )
                    for r in trace["rule_rows"]
                ),
                (40, 60),
            )
        )
    else:
        blocks.append(para(_("No rule fired.")))
    tier = run(trace["tier_from_score"], bold=True)
    if trace.get("escalated_by"):
        parts = rich(
            _("Tier from the score: {tier}; raised by {rules}."), tier=tier, rules=", ".join(trace["escalated_by"])
        )
    else:
        parts = rich(_("Tier from the score: {tier}."), tier=tier)
    following = trace.get("next_tier")
    if following:
        parts.append(
            " "
            + _(
                "Next tier: {tier} at {threshold} ({distance} away).",
                tier=following["id"],
                threshold=num(following["threshold"]),
                distance=num(following["distance"]),
            )
        )
    blocks.append(para(*parts))
    return blocks


def _provenance(data: Mapping[str, Any]) -> list[Block]:
    result, questionnaire = data["result"], data["questionnaire"]
    blocks: list[Block] = [Heading(1, _("Appendix C. Hashes and provenance"))]
    blocks.append(
        Table(
            (_("What"), "sha256"),
            tuple((cell(str(label)), cell(run(value, mono=True, role="hash"))) for label, value in data["hashes"]),
            (32, 68),
        )
    )
    blocks.append(
        Table(
            (),
            (
                (cell(_("Tool")), cell(f"riskcheck {data.get('tool_version')}")),
                (
                    cell(_("Questionnaire")),
                    cell(
                        (
                            Run(f"{questionnaire['title']} ("),
                            Run(f"{questionnaire['id']}@{questionnaire['version']}", mono=True),
                            Run(")"),
                        )
                    ),
                ),
                (
                    cell(_("Result schema")),
                    cell(
                        _(
                            "version {version}; the full result is attached to this document as {name}",
                            version=result["schema_version"],
                            name="riskcheck-result.json",
                        )
                    ),
                ),
                (cell(_("Assessed on")), cell(day(data.get("assessed_on")) or _("not stated"))),
            ),
            (30, 70),
            key_value=True,
            style="key-value kv",
        )
    )
    return blocks


def _archived(data: Mapping[str, Any]) -> list[Block]:
    version = data["questionnaire"]["version"]
    blocks: list[Block] = [
        Heading(1, _("Appendix {letter}. Archived answers", letter=data["appendix"]["archived"])),
        para(
            *rich(
                _(
                    "Answers given to an earlier version of the questionnaire that {command} could not place in "
                    "version {version}: the question was removed, split, changed its meaning, or the answer no "
                    "longer fits it. They do not count for scoring; they are kept so that nothing an earlier "
                    "reviewer read is lost."
                ),
                command=run("riskcheck migrate", mono=True),
                version=str(version),
            )
        ),
    ]
    rows = []
    for a in data["archived_answers"]:
        value = a.get("value")
        if value is True:
            shown = _("yes")
        elif value is False:
            shown = _("no")
        elif value is None:
            shown = _("unanswered")
        elif isinstance(value, (list, tuple)):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        answer: list[Inline] = [(Run(shown, role="answer-text"),)]
        if a.get("comment"):
            answer.append((Run(str(a["comment"]), italic=True, role="comment answer-text"),))
        if a.get("evidence"):
            answer.append((Run(_("Evidence:"), italic=True, role="muted-note"),))
            answer += [(Run("\u2022 "), Run(str(item), mono=True)) for item in a["evidence"]]
        rows.append(
            (
                cell(run(a["question"], mono=True), run(a.get("version") or "", role="qid")),
                Cell(tuple(answer)),
                cell(run(a.get("reason") or "", role="answer-text")),
            )
        )
    header = (_("Question (version)"), _("Answer"), _("Why it was archived"))
    blocks.append(Table(header, tuple(rows), (24, 38, 38), style="data answers"))
    return blocks


def _evidence(data: Mapping[str, Any]) -> list[Block]:
    rows = []
    for item in data["evidence_register"]:
        where = f"{item['number']} " if item.get("number") else ""
        where += str(item["question"]) + (" " + _("(archived)") if item.get("source") == "archived" else "")
        if not item.get("local"):
            state = cell(_("external link"))
        elif not item.get("exists"):
            state = cell(run(_("missing"), bold=True))
        else:
            state = cell(run(item.get("sha256"), mono=True, role="hash"))
        rows.append((cell(run(where, mono=True)), cell(run(item["link"], mono=True, role="answer-text")), state))
    return [
        Heading(1, _("Appendix {letter}. Evidence register", letter=data["appendix"]["evidence"])),
        para(
            *rich(
                _(
                    "Every evidence link the answers make, with the question it supports. A local file is named "
                    "relative to the assessment; its sha256 is the hash of the bytes that were there when this "
                    "report was made. {command} also says when each file last changed."
                ),
                command=run("riskcheck evidence", mono=True),
            )
        ),
        Table((_("Question"), _("Evidence"), _("State")), tuple(rows), (26, 34, 40)),
    ]


def _change_log(log: Mapping[str, Any], letter: str) -> list[Block]:
    blocks: list[Block] = [Heading(1, _("Appendix {letter}. Change log", letter=letter))]
    since = log.get("since")
    if since:
        blocks.append(
            para(
                _(
                    "Every change to the assessment file since its first approval (commit {commit}, {date}, by "
                    "{author}), from its git history.",
                    commit=since["commit"],
                    date=since["date"],
                    author=since["author"],
                )
            )
        )
    else:
        blocks.append(
            para(_("The assessment has not been approved yet; this is every change to the file in its git history."))
        )
    if not log.get("rows"):
        blocks.append(para(_("No change since then.")))
        return blocks
    rows = []
    for row in log["rows"]:
        if row.get("tier_before") != row.get("tier_after"):
            tier = f"{row.get('tier_before') or _('none')} \u2192 {row.get('tier_after') or _('none')}"
        else:
            tier = str(row.get("tier_after") or "\u2014")
        rows.append(
            (
                cell(run(row["commit"], mono=True), str(row["date"]), str(row["author"])),
                cell(tier),
                cell(run(row["subject"], role="answer-text"), *(run(c, mono=True) for c in row.get("changes") or ())),
            )
        )
    blocks.append(Table((_("Change"), _("Tier"), _("What changed")), tuple(rows), (20, 14, 66)))
    return blocks


def plain_text(document: Document) -> str:
    """Every piece of text of ``document``, one block per line (for tests and search)."""
    lines: list[str] = []

    def inline(runs: Inline) -> str:
        return "".join(r.text for r in runs)

    for block in walk(document.sections):
        if isinstance(block, Heading):
            lines.append(block.text)
        elif isinstance(block, Paragraph):
            lines.append(inline(block.runs))
        elif isinstance(block, BulletList):
            lines += [inline(item) for item in block.items]
        elif isinstance(block, Table):
            lines.append(" | ".join(block.header))
            for row in (*block.rows, *((block.footer,) if block.footer else ())):
                lines.append(" | ".join(" / ".join(inline(line) for line in c.lines) for c in row))
        elif isinstance(block, Figure):
            lines.append(block.caption)
    return "\n".join(lines)
