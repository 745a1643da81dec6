"""The report as a format-neutral document: headings, paragraphs, lists, tables, figures.

Built from the same context the HTML templates see (:func:`riskcheck.report.context.build_context`),
so that every format written from it (the Word document today) shows the same sections,
answers, findings, figures and sign-off block as the PDF. Plain frozen data; no
third-party imports, so it is cheap to build and easy to test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from riskcheck.report.charts import number
from riskcheck.report.context import format_timestamp, reference_label


@dataclass(frozen=True)
class Run:
    """A piece of text with one look. ``href`` makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False
    href: str | None = None


Inline = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    """Level 0 is the document's title; 1 to 3 are the outline."""

    level: int
    text: str


ParagraphStyle = Literal["body", "note", "callout", "blocking", "kicker", "footnote"]


@dataclass(frozen=True)
class Paragraph:
    runs: Inline
    style: ParagraphStyle = "body"


@dataclass(frozen=True)
class BulletList:
    items: tuple[Inline, ...]


@dataclass(frozen=True)
class Cell:
    """A table cell: one paragraph per line."""

    lines: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: Column widths in percent of the text width.
    widths: tuple[int, ...]
    footer: tuple[Cell, ...] | None = None
    #: The header column on the left (a key-value table) rather than a header row.
    key_value: bool = False


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
class PageBreak:
    pass


Block = Heading | Paragraph | BulletList | Table | Figure | PageBreak


@dataclass(frozen=True)
class Document:
    title: str
    author: str
    subject: str
    keywords: str
    #: The document's date (the assessment date); None for a draft without one.
    created: dt.datetime | None
    blocks: tuple[Block, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- small builders


def run(text: Any, **look: Any) -> Run:
    return Run(str(text), **look)


def para(*parts: str | Run, style: ParagraphStyle = "body") -> Paragraph:
    return Paragraph(tuple(p if isinstance(p, Run) else Run(p) for p in parts if p != ""), style)


def cell(*lines: str | Run | Inline) -> Cell:
    out: list[Inline] = []
    for line in lines:
        if isinstance(line, tuple):
            out.append(line)
        elif isinstance(line, Run):
            out.append((line,))
        elif line != "":
            out.append((Run(line),))
    return Cell(tuple(out))


def link(item: Mapping[str, Any]) -> Run:
    return Run(str(item["text"]), href=item["href"]) if item.get("href") else Run(str(item["text"]), mono=True)


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def num(value: Any, decimals: int = 2, whole: bool = True) -> str:
    return number(None if value is None else float(value), decimals, whole)


# ---------------------------------------------------------------- the report


def build_document(data: Mapping[str, Any], *, created: dt.datetime | None) -> Document:
    """The report from the template context (with ``keywords``), part by part as in ``report.html``."""
    system = data["system"]
    questionnaire = data["questionnaire"]
    blocks: list[Block] = []
    blocks += _cover(data)
    blocks += [PageBreak(), *_summary(data)]
    blocks += [PageBreak(), *_findings(data)]
    if data.get("fairness"):
        blocks += [PageBreak(), *_fairness(data)]
    blocks += [PageBreak(), *_answers(data)]
    blocks += [PageBreak(), *_signoff(data)]
    blocks += [PageBreak(), *_appendices(data)]
    if data.get("archived_answers"):
        blocks += _archived(data)
    if data.get("evidence_register"):
        blocks += _evidence(data)
    if data.get("change_log") is not None:
        blocks += _change_log(data["change_log"])
    result = data["result"]
    return Document(
        title=f"Risk assessment: {system.get('name')} {system.get('version')}",
        author=str(system.get("owner") or ""),
        subject=(
            f"riskcheck sign-off report: {questionnaire['title']} "
            f"({questionnaire['id']}@{questionnaire['version']}), tier {result['tier_label']}"
        ),
        keywords=str(data.get("keywords") or ""),
        created=created if data.get("assessed_on") else None,
        blocks=tuple(blocks),
    )


def _refs(references: Sequence[str]) -> str:
    return "; ".join(reference_label(r, _frameworks()) for r in references)


def _frameworks() -> Mapping[str, str]:
    from riskcheck.report.context import KNOWN_FRAMEWORKS

    return KNOWN_FRAMEWORKS


_BLOCKED = (Run(" \u00b7 "), Run("launch blocked", bold=True))


def _cover(data: Mapping[str, Any]) -> list[Block]:
    result, system, signoff = data["result"], data["system"], data["signoff"]
    theme = data.get("theme")
    questionnaire, classification = data["questionnaire"], data.get("classification")
    blocks: list[Block] = []
    organisation = getattr(theme, "organisation", None)
    if organisation:
        blocks.append(para(str(organisation), style="kicker"))
    blocks.append(para("AI risk assessment \u00b7 sign-off report", style="kicker"))
    blocks.append(Heading(0, str(system.get("name"))))  # the title: the PDF's outline has no entry for it
    blocks.append(para(f"Version {system.get('version')}"))
    if data.get("draft"):
        blocks.append(para(run("DRAFT", bold=True), style="blocking"))
        blocks.append(para("This report is a draft, not a record to sign, because:", style="blocking"))
        blocks.append(BulletList(tuple((Run(str(r)),) for r in data["draft"])))
    detail = f"Score {num(result['score'])} of {num(result['score_max'])}"
    roles = " \u00b7 ".join(f"{row['role']}: {row['state']}" for row in signoff["rows"])
    notes = signoff.get("cover_notes")
    if notes is None:  # a context from before the cover grouped its notes
        notes = [row["record"]["note"] for row in signoff["rows"] if row["record"] and row["record"].get("note")]
    blocks.append(
        Table(
            ("Overall risk tier", "Sign-off status"),
            (
                (
                    cell(
                        run(result["tier_label"], bold=True),
                        (
                            Run(detail),
                            *((Run(" \u00b7 "), Run("launch blocked", bold=True)) if result["blocked"] else ()),
                        ),
                    ),
                    cell(
                        run(signoff["status"], bold=True),
                        roles or "No roles declared by the questionnaire",
                        *(str(n) for n in notes),
                    ),
                ),
            ),
            (50, 50),
        )
    )
    facts: list[tuple[Cell, ...]] = [
        (cell("System"), cell(f"{system.get('name')}, version {system.get('version')}")),
        (cell("Owner"), cell(str(system.get("owner")))),
        (cell("Purpose"), cell(str(system.get("purpose")))),
        (cell("Date of assessment"), cell(str(data.get("assessed_on") or "not stated in the assessment"))),
        (
            cell("Questionnaire"),
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
            cell("Completeness"),
            cell(
                f"{completeness['answered']} of {completeness['required']} required questions answered "
                f"({result['status']})"
            ),
        )
    )
    facts.append((cell("Content sha256"), cell(run(result["hashes"]["content"], mono=True))))
    blocks.append(Table((), tuple(facts), (30, 70), key_value=True))
    blocks.append(para(str(data.get("confidentiality") or ""), style="note"))
    blocks.append(
        para(
            f"Generated by riskcheck {data.get('tool_version')} from the assessment file and its questionnaire. "
            "A sign-off records a decision against the content sha256 above, which covers all this report "
            "shows but the sign-offs; any later change makes it stale.",
            style="note",
        )
    )
    return blocks


def _summary(data: Mapping[str, Any]) -> list[Block]:
    result, classification, findings = data["result"], data.get("classification"), data["findings"]
    blocking = int(data["blocking_count"])
    blocks: list[Block] = [Heading(1, "Executive summary")]
    if result["blocked"]:
        blocks.append(
            para(
                f"Launch is blocked: {blocking} finding{plural(blocking, '', 's')} "
                f"block{plural(blocking, 's', '')} launch whatever the score.",
                style="blocking",
            )
        )
    completeness = result["completeness"]
    count = len(result["findings"])
    blocks.append(
        Table(
            (
                "Risk tier",
                "Blocking findings",
                "Completeness",
                str(classification["title"]) if classification else "Regulatory class",
            ),
            (
                (
                    cell(
                        run(result["tier_label"], bold=True),
                        f"score {num(result['score'])} of {num(result['score_max'])}",
                    ),
                    cell(run(blocking, bold=True), f"{count} finding{plural(count, '', 's')} in all"),
                    cell(
                        run(f"{round(100 * completeness['share'])}%", bold=True),
                        f"{completeness['answered']} of {completeness['required']} required answered",
                    ),
                    cell(
                        run(
                            classification["label"]
                            if classification and classification.get("label")
                            else "not classified",
                            bold=True,
                        )
                    ),
                ),
            ),
            (25, 25, 25, 25),
        )
    )
    if classification:
        blocks.append(Heading(2, str(classification["title"])))
        if classification.get("label"):
            parts: list[str | Run] = [
                "The questionnaire classifies this system as ",
                run(classification["label"], bold=True),
                ".",
            ]
        else:
            parts = ["The questionnaire's classification did not reach a class for this system."]
        if classification.get("references"):
            parts.append(" The articles it rests on:")
        blocks.append(para(*parts))
        if classification.get("references"):
            blocks.append(BulletList(tuple((Run(_refs([r])),) for r in classification["references"])))
        if classification.get("flags"):
            blocks.append(para("Additional duties flagged:"))
            blocks.append(BulletList(tuple((Run(str(f["label"])),) for f in classification["flags"])))
    blocks += _timeline(data)
    blocks.append(Heading(2, "Tier and thresholds"))
    blocks.append(para(*_tier_text(result)))
    blocks.append(
        Figure(
            "tier_scale",
            data["tier_scale"],
            "Figure 1. The score on the tier scale; the outlined band is this system's tier.",
            _tier_alt(data["tier_scale"]),
        )
    )
    impact = result["scoring_model"] == "impact_mitigation"
    blocks.append(
        Table(
            ("Tier", "Ends at (points)" if impact else "From score", "This assessment"),
            tuple(
                (
                    cell(str(tier["label"])),
                    cell(num(tier["threshold"])),
                    cell("\u25b6 this tier" if tier["id"] == result["tier"] else ""),
                )
                for tier in result["tiers"]
            ),
            (40, 22, 38),
        )
    )
    if data.get("section_chart"):
        blocks.append(Heading(2, "Score by section"))
        chart = data["section_chart"]
        blocks.append(
            Figure(
                "section_bars",
                chart,
                "Figure 2. Risk points per section as a share of the section's maximum (higher means more risk).",
                "Risk points per section as a share of the section's maximum: "
                + "; ".join(f"{b.label} {b.value_label}" for b in chart.bars)
                + ".",
            )
        )
    blocks.append(Heading(2, "Findings at a glance"))
    if findings:
        blocks.append(
            Table(
                ("Severity", "Finding", "Blocks launch"),
                tuple(
                    (cell(str(f["severity"])), cell(str(f["message"])), cell("Yes" if f["blocks_launch"] else "No"))
                    for f in findings
                ),
                (14, 72, 14),
            )
        )
    else:
        blocks.append(para("No rule fired and no fairness threshold was breached."))
    if completeness.get("missing"):
        blocks.append(para(f"Unanswered required questions: {', '.join(data['missing_numbers'])}.", style="callout"))
    return blocks


def _tier_text(result: Mapping[str, Any]) -> list[str | Run]:
    trace = result["trace"]
    parts: list[str | Run] = ["The assessment is in tier ", run(result["tier_label"], bold=True), ". "]
    impact = result.get("impact")
    if result["scoring_model"] == "impact_mitigation" and impact:
        applied = (
            "the reduction applies" if impact["reduction_applied"] else "below the level that reduces the impact score"
        )
        parts.append(
            f"The raw impact score is {num(impact['raw'])} of {num(impact['raw_max'])}; "
            f"mitigation scored {num(impact['mitigation'])} of {num(impact['mitigation_max'])} ({applied}), "
            f"giving an adjusted score of {num(impact['adjusted'])}. "
        )
    else:
        parts.append(f"Its weighted score is {num(result['score'])} on a scale of 0 to {num(result['score_max'])}. ")
    if trace.get("escalated_by"):
        parts.append(
            f"The score alone gives tier {trace['tier_from_score']}; the tier was raised by "
            f"{', '.join(trace['escalated_by'])}. "
        )
    following = trace.get("next_tier")
    if following:
        starts = "starts above" if result["scoring_model"] == "impact_mitigation" else "starts at"
        parts.append(
            f"The next tier, {following['id']}, {starts} {num(following['threshold'])} "
            f"({num(following['distance'])} away)."
        )
    else:
        parts.append("This is the highest tier.")
    return parts


def _tier_alt(chart: Any) -> str:
    bands = ", ".join(f"{b.label}{' (this system)' if b.current else ''}" for b in chart.bands)
    return f"Score {chart.marker_label} on the tier scale: {bands}."


def _timeline(data: Mapping[str, Any]) -> list[Block]:
    result, classification = data["result"], data.get("classification")
    duties = list((classification or {}).get("duties") or [])
    blocks: list[Block] = []
    if duties:
        blocks.append(Heading(2, "Duties and when they apply"))
        text = ""
        if classification and classification.get("applies_from"):
            text += f"The rules of this class apply from {classification['applies_from']}. "
        text += f"Dated against {result.get('as_of') or 'no assessment date (each duty keeps its date)'}."
        now = sum(1 for d in duties if d["status"] == "applies_now")
        later = sum(1 for d in duties if d["status"] == "applies_later")
        text += f" {now} of {len(duties)} appl{plural(len(duties), 'ies', 'y')} now"
        text += f"; {later} later." if later else "."
        blocks.append(para(text))
        current = [d for d in duties if d["status"] == "applies_now"]
        others = sorted(
            (d for d in duties if d["status"] != "applies_now"), key=lambda d: str(d.get("applies_from") or "")
        )
        rows = [(cell(str(d["when"])), cell(str(d["label"])), cell(_refs(d["references"]))) for d in current]
        rows += [(cell(run(d["when"], bold=True)), cell(str(d["label"])), cell(_refs(d["references"]))) for d in others]
        blocks.append(Table(("When", "Duty", "Legal basis"), tuple(rows), (24, 52, 24)))
    law = result.get("law_as_at")
    if law:
        sources = "; ".join(
            f"{s['title']}{' (reported by secondary sources)' if s.get('kind') == 'secondary' else ''}"
            for s in law["sources"]
        )
        blocks.append(para(f"Law as at {law['date']}: the questionnaire reflects {sources}.", style="note"))
    return blocks


def _findings(data: Mapping[str, Any]) -> list[Block]:
    findings = data["findings"]
    blocks: list[Block] = [Heading(1, "Findings")]
    if not findings:
        blocks.append(para("No findings: no rule fired and no fairness threshold was breached."))
        return blocks
    blocks.append(
        para(
            f"{len(findings)} finding{plural(len(findings), '', 's')}, most severe first. "
            "Each states the mitigation the questionnaire requires before launch."
        )
    )
    for f in findings:
        blocking = " blocks launch" if f["blocks_launch"] else ""
        blocks.append(Heading(3, f"{f['severity']}{blocking} {f['message']} {f['id']}"))
        blocks.append(para(run("Required mitigation ", bold=True), str(f["mitigation"])))
        if f.get("reference_labels"):
            blocks.append(para(run("References ", bold=True), "; ".join(f["reference_labels"])))
        if f.get("triggers"):
            blocks.append(para(run("Triggered by", bold=True)))
            blocks.append(
                BulletList(
                    tuple(
                        (
                            Run(f"{t['number']} " if t.get("number") else ""),
                            Run(f"{t['text']}: "),
                            Run(str(t["value"]), bold=True),
                        )
                        for t in f["triggers"]
                    )
                )
            )
    return blocks


def _fairness(data: Mapping[str, Any]) -> list[Block]:
    fairness = data["fairness"]
    sensitive = " \u00d7 ".join(fairness["sensitive"]) if fairness.get("sensitive") else "sensitive group"
    groups = len(fairness.get("groups") or ())
    text = (
        f"Measured on {num(fairness.get('rows'))} rows ({fairness.get('task')}, {fairness.get('engine')} engine), "
        f"by {sensitive}: {groups} group{plural(groups, '', 's')}."
    )
    if fairness.get("confidence") and fairness.get("replicates"):
        text += (
            f" Intervals are {round(100 * fairness['confidence'])}% bootstrap intervals "
            f"from {num(fairness['replicates'])} replicates."
        )
    blocks: list[Block] = [Heading(1, "Fairness"), para(text)]
    if fairness.get("findings"):
        n = len(fairness["findings"])
        blocks.append(
            para(
                f"{n} fairness finding{plural(n, '', 's')}: {fairness['breach_count']} from the assessment's "
                f"thresholds, {fairness['rule_finding_count']} from the questionnaire's rules "
                "(each is listed under Findings):",
                style="blocking",
            )
        )
        blocks.append(
            BulletList(tuple((Run(f"{f['message']} "), Run(f"({f['id']})", mono=True)) for f in fairness["findings"]))
        )
    else:
        blocks.append(para("No fairness finding: every test of a figure below holds."))
    blocks.append(Heading(2, "Disparities"))
    if fairness.get("chart"):
        chart = fairness["chart"]
        alt = "; ".join(f"{r.label} {r.value_label}{' (failed a test)' if r.breach else ''}" for r in chart.rows)
        blocks.append(
            Figure(
                "disparities",
                chart,
                "Figure 3. Disparities between groups. A filled square and \u2717 mark a figure that failed a test "
                "(a threshold or a rule); an open circle passed every test or was not judged. "
                "The table below lists each test.",
                f"Disparities between groups, point estimate and interval: {alt}.",
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
            tests.append((Run("not judged: no threshold and no rule reads it", italic=True),))
        interval = (
            f"[{num(d['ci_low'], 4, False)}, {num(d['ci_high'], 4, False)}]"
            if d["ci_low"] is not None and d["ci_high"] is not None
            else "\u2014"
        )
        rows.append(
            (
                cell(str(d["name"]).replace("_", " ")),
                cell("undefined" if d["value"] is None else num(d["value"], 4, False)),
                cell(interval),
                cell(*tests),
                cell(" vs ".join(str(g) for g in d["groups"])),
            )
        )
    blocks.append(
        Table(("Disparity", "Value", "Interval", "Tests and outcomes", "Groups"), tuple(rows), (19, 9, 16, 42, 14))
    )
    blocks.append(Heading(2, "Metrics by group"))
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
            ("Group", *(str(label) for label in fairness["column_labels"])),
            group_rows,
            (first, *(rest for _ in range(columns))),
            footer=(cell("All rows"), *(cell(str(t)) for t in fairness["overall_cells"])),
        )
    )
    if fairness.get("column_legend"):
        legend = "; ".join(f"{short}: {long}" for short, long in fairness["column_legend"])
        blocks.append(para(f"{legend}.", style="note"))
    if fairness.get("left_out"):
        left = "; ".join(f"{e['group']} ({e['reason']})" for e in fairness["left_out"])
        blocks.append(para(f"\u2020 Insufficient evidence; left out of the disparities: {left}.", style="note"))
    if fairness.get("rate_notes"):
        notes = "; ".join(
            f"{e['group']}, {str(e['metric']).replace('_', ' ')} ({e['reason']})" for e in fairness["rate_notes"]
        )
        blocks.append(para(f"\u2021 Rate left out for insufficient evidence: {notes}.", style="note"))
    blocks.append(
        para(
            '"undefined" marks a rate with no rows to compute it from (for example no positives in a group).',
            style="note",
        )
    )
    if fairness.get("warnings"):
        blocks.append(Heading(3, "Warnings"))
        blocks.append(BulletList(tuple((Run(str(w)),) for w in fairness["warnings"])))
    blocks.append(Heading(2, "Evidence"))
    evidence: list[tuple[Cell, ...]] = [
        (cell(str(label)), cell(run(value, mono=True))) for label, value in fairness.get("source") or ()
    ]
    smallest = fairness.get("smallest_group")
    if smallest:
        evidence.append(
            (
                cell("Smallest group"),
                cell(f"{', '.join(str(g) for g in smallest['groups'])}: {num(smallest['size'])} rows"),
            )
        )
    evidence.append((cell("Data sha256"), cell(run(fairness.get("data_sha256"), mono=True))))
    model = fairness.get("model_sha256") or "none (predictions or scores read from the data)"
    evidence.append((cell("Model sha256"), cell(run(model, mono=True))))
    blocks.append(Table((), tuple(evidence), (28, 72), key_value=True))
    return blocks


def _answers(data: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        Heading(1, "Answers"),
        para(
            "The answers as they count for scoring, section by section. Questions that do not apply "
            "(their conditions are not met) are left out; unanswered questions are marked."
        ),
    ]
    for section in data["answer_sections"]:
        blocks.append(Heading(2, f"{section['number']}. {section['title']}"))
        if section.get("description"):
            blocks.append(para(str(section["description"]), style="note"))
        if not section["visible"] or not section["rows"]:
            blocks.append(para("This section does not apply to this system.", style="note"))
        else:
            rows = []
            for row in section["rows"]:
                ident = row["id"] + (f" \u00b7 {_refs(row['references'])}" if row["references"] else "")
                answer: list[Inline] = []
                if not row["answered"]:
                    answer.append((Run(f"Not answered{' (required)' if row['required'] else ''}", italic=True),))
                answer += [(Run(str(line)),) for line in row["lines"]]
                answer += [(Run("\u2022 "), link(item)) for item in row["links"]]
                if row.get("comment"):
                    answer.append((Run(str(row["comment"]), italic=True),))
                if row["evidence"]:
                    answer.append((Run("Evidence:", italic=True),))
                    answer += [(Run("\u2022 "), link(item)) for item in row["evidence"]]
                rows.append(
                    (
                        cell(str(row["number"])),
                        cell(str(row["text"]), run(ident, mono=True)),
                        Cell(tuple(answer)),
                    )
                )
            blocks.append(Table(("No.", "Question", "Answer"), tuple(rows), (7, 50, 43)))
        hidden = int(section.get("hidden") or 0)
        if hidden:
            blocks.append(
                para(
                    f"{hidden} question{plural(hidden, '', 's')} in this section do{plural(hidden, 'es', '')} "
                    f"not apply and {plural(hidden, 'is', 'are')} left out.",
                    style="note",
                )
            )
    return blocks


def _signoff(data: Mapping[str, Any]) -> list[Block]:
    signoff, result = data["signoff"], data["result"]
    blocks: list[Block] = [
        Heading(1, "Sign-off"),
        para(
            "Status: ",
            run(signoff["status"], bold=True),
            ". A decision is ",
            run("current", italic=True),
            " when it was recorded against this report's content sha256 ",
            run(result["hashes"]["content"], mono=True),
            ", which covers everything this report shows except the sign-off records: the system block, "
            "the questionnaire, every answer with its comment and evidence, the fairness settings and evidence, "
            "and local evidence files. It is ",
            run("stale", italic=True),
            " once any of them changed after it was recorded.\u00b9",
        ),
    ]
    for row in signoff["rows"]:
        record = row["record"]
        blocks.append(Heading(2, f"{str(row['role']).capitalize()} {row['state']}"))
        fields: list[tuple[Cell, ...]] = [
            (cell("Role"), cell(str(row["role"]))),
            (cell("Name"), cell(str(record["name"]) if record else "")),
            (
                cell("Decision"),
                cell(f"{record['decision']} ({'current' if record['current'] else 'stale'})" if record else ""),
            ),
            (cell("Date"), cell(format_timestamp(str(record["timestamp"])) if record else "")),
        ]
        if record and record.get("comment"):
            fields.append((cell("Comment"), cell(str(record["comment"]))))
        if record and record.get("note"):
            fields.append((cell("Why it is stale"), cell(str(record["note"]))))
        fields.append((cell("Signature"), cell("\n\n")))
        blocks.append(Table((), tuple(fields), (22, 78), key_value=True))
    if not signoff["rows"]:
        blocks.append(para("The questionnaire declares no required roles.", style="note"))
    if signoff["others"]:
        blocks.append(Heading(2, "Other sign-off records"))
        rows = []
        for r in signoff["others"]:
            remark = [line for line in (r.get("comment"), r.get("note")) if line]
            rows.append(
                (
                    cell(str(r["role"])),
                    cell(str(r["name"])),
                    cell(str(r["decision"])),
                    cell(format_timestamp(str(r["timestamp"]))),
                    cell(*(str(line) for line in remark)),
                    cell("current" if r["current"] else "stale"),
                )
            )
        blocks.append(
            Table(("Role", "Name", "Decision", "Date", "Comment", "Record"), tuple(rows), (12, 18, 11, 15, 32, 12))
        )
    blocks.append(
        para(
            "\u00b9 Record a decision with ",
            run("riskcheck sign FILE --role ROLE --name NAME --decision approve|reject", mono=True),
            ", or with the sign-off form of ",
            run("riskcheck serve", mono=True),
            ". A handwritten signature on a printed copy does not update the assessment file.",
            style="footnote",
        )
    )
    return blocks


def _appendices(data: Mapping[str, Any]) -> list[Block]:
    result, trace, questionnaire = data["result"], data["trace"], data["questionnaire"]
    blocks: list[Block] = [
        Heading(1, "Appendix A. Framework index"),
        para(
            "Each framework clause that applies to this system, with the questions that address it and the "
            "findings that cite it. Clauses reached only through questions that do not apply here are left out; ",
            run(f"riskcheck coverage {questionnaire['id']}", mono=True),
            " lists them all.",
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
        blocks.append(Table(("Clause", "Questions", "Findings"), rows, (20, 40, 40)))
    if not data["framework_index"]:
        blocks.append(para("The questionnaire refers to no framework clauses."))
    blocks.append(Heading(1, "Appendix B. Scoring trace"))
    blocks.append(Heading(2, "Points by answer"))
    unscored = int(trace["unscored_count"])
    text = "The answers that scored risk points"
    if unscored:
        text += (
            f"; {unscored} other answer{plural(unscored, '', 's')} scored none (the attached result lists every one)"
        )
    blocks.append(para(text + "."))
    blocks.append(
        Table(
            ("Question", "Section", "Answer", "Points", "Max"),
            tuple(
                (
                    cell((Run(f"{c['number']} ", bold=True), Run(str(c["text"])))),
                    cell(str(c["section_title"])),
                    cell(str(c["value_text"])),
                    cell(num(c["points"])),
                    cell(num(c["max"])),
                )
                for c in trace["contribution_rows"]
            ),
            (40, 16, 26, 9, 9),
        )
    )
    blocks.append(Heading(2, "Sections"))
    blocks.append(
        Table(
            ("Section", "Points", "Max", "Share", "Weight", "Applies"),
            tuple(
                (
                    cell(str(s["title"])),
                    cell(num(s["points"])),
                    cell(num(s["max"])),
                    cell("n/a" if s["share"] is None else num(100 * s["share"], 1, False) + "%"),
                    cell(num(s["weight"])),
                    cell("Yes" if s["visible"] else "No"),
                )
                for s in result["sections"]
            ),
            (40, 12, 12, 12, 12, 12),
        )
    )
    blocks.append(Heading(2, "Rules fired"))
    if trace["rule_rows"]:
        blocks.append(
            Table(
                ("Rule", "Answers and figures it read"),
                tuple(
                    (
                        cell(str(r["message"] or r["id"]), run(f"{r['id']}: {r['when']}", mono=True)),
                        cell(*(f"\u2022 {v['name']}: {v['value']}" for v in r["value_rows"])),
                    )
                    for r in trace["rule_rows"]
                ),
                (40, 60),
            )
        )
    else:
        blocks.append(para("No rule fired."))
    parts: list[str | Run] = ["Tier from the score: ", run(trace["tier_from_score"], bold=True)]
    if trace.get("escalated_by"):
        parts.append(f"; raised by {', '.join(trace['escalated_by'])}")
    parts.append(".")
    following = trace.get("next_tier")
    if following:
        parts.append(
            f" Next tier: {following['id']} at {num(following['threshold'])} ({num(following['distance'])} away)."
        )
    blocks.append(para(*parts))
    blocks.append(Heading(1, "Appendix C. Hashes and provenance"))
    blocks.append(
        Table(
            ("What", "sha256"),
            tuple((cell(str(label)), cell(run(value, mono=True))) for label, value in data["hashes"]),
            (32, 68),
        )
    )
    blocks.append(
        Table(
            (),
            (
                (cell("Tool"), cell(f"riskcheck {data.get('tool_version')}")),
                (
                    cell("Questionnaire"),
                    cell(
                        (
                            Run(f"{questionnaire['title']} ("),
                            Run(f"{questionnaire['id']}@{questionnaire['version']}", mono=True),
                            Run(")"),
                        )
                    ),
                ),
                (
                    cell("Result schema"),
                    cell(
                        f"version {result['schema_version']}; the full result is attached to this document "
                        "as riskcheck-result.json"
                    ),
                ),
                (cell("Assessed on"), cell(str(data.get("assessed_on") or "not stated"))),
            ),
            (30, 70),
            key_value=True,
        )
    )
    return blocks


def _archived(data: Mapping[str, Any]) -> list[Block]:
    version = data["questionnaire"]["version"]
    blocks: list[Block] = [
        Heading(1, "Appendix D. Archived answers"),
        para(
            "Answers given to an earlier version of the questionnaire that ",
            run("riskcheck migrate", mono=True),
            f" could not place in version {version}: the question was removed, split, changed its meaning, or the "
            "answer no longer fits it. They do not count for scoring; they are kept so that nothing an earlier "
            "reviewer read is lost.",
        ),
    ]
    rows = []
    for a in data["archived_answers"]:
        value = a.get("value")
        if value is True:
            shown = "yes"
        elif value is False:
            shown = "no"
        elif value is None:
            shown = "unanswered"
        elif isinstance(value, (list, tuple)):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        answer: list[Inline] = [(Run(shown),)]
        if a.get("comment"):
            answer.append((Run(str(a["comment"]), italic=True),))
        if a.get("evidence"):
            answer.append((Run("Evidence:", italic=True),))
            answer += [(Run("\u2022 "), Run(str(item), mono=True)) for item in a["evidence"]]
        rows.append(
            (
                cell(run(a["question"], mono=True), str(a.get("version") or "")),
                Cell(tuple(answer)),
                cell(str(a.get("reason") or "")),
            )
        )
    blocks.append(Table(("Question (version)", "Answer", "Why it was archived"), tuple(rows), (24, 38, 38)))
    return blocks


def _evidence(data: Mapping[str, Any]) -> list[Block]:
    rows = []
    for item in data["evidence_register"]:
        where = f"{item['number']} " if item.get("number") else ""
        where += str(item["question"]) + (" (archived)" if item.get("source") == "archived" else "")
        if not item.get("local"):
            state = cell("external link")
        elif not item.get("exists"):
            state = cell(run("missing", bold=True))
        else:
            state = cell(run(item.get("sha256"), mono=True))
        rows.append((cell(run(where, mono=True)), cell(run(item["link"], mono=True)), state))
    return [
        Heading(1, "Appendix F. Evidence register"),
        para(
            "Every evidence link the answers make, with the question it supports. A local file is named relative "
            "to the assessment; its sha256 is the hash of the bytes that were there when this report was made. ",
            run("riskcheck evidence", mono=True),
            " also says when each file last changed.",
        ),
        Table(("Question", "Evidence", "State"), tuple(rows), (26, 34, 40)),
    ]


def _change_log(log: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading(1, "Appendix E. Change log")]
    since = log.get("since")
    if since:
        blocks.append(
            para(
                f"Every change to the assessment file since its first approval (commit {since['commit']}, "
                f"{since['date']}, by {since['author']}), from its git history."
            )
        )
    else:
        blocks.append(
            para("The assessment has not been approved yet; this is every change to the file in its git history.")
        )
    if not log.get("rows"):
        blocks.append(para("No change since then."))
        return blocks
    rows = []
    for row in log["rows"]:
        if row.get("tier_before") != row.get("tier_after"):
            tier = f"{row.get('tier_before') or 'none'} \u2192 {row.get('tier_after') or 'none'}"
        else:
            tier = str(row.get("tier_after") or "\u2014")
        rows.append(
            (
                cell(run(row["commit"], mono=True), str(row["date"]), str(row["author"])),
                cell(tier),
                cell(str(row["subject"]), *(run(c, mono=True) for c in row.get("changes") or ())),
            )
        )
    blocks.append(Table(("Change", "Tier", "What changed"), tuple(rows), (20, 14, 66)))
    return blocks


def plain_text(document: Document) -> str:
    """Every piece of text of ``document``, one block per line (for tests and search)."""
    lines: list[str] = []

    def inline(runs: Inline) -> str:
        return "".join(r.text for r in runs)

    for block in document.blocks:
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
