"""What the report templates see: the result, arranged for a reader.

Pure Python over the result's JSON form and the loaded assessment; no jinja2 and
no WeasyPrint here, so the arrangement is easy to test and templates stay simple.
Answers are shown as they count: hidden questions are left out, unanswered ones
are marked. The phrases written here (Yes, Not answered, threshold tests, table
labels) are in the language in use (:func:`riskcheck.core.i18n.use_language`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from riskcheck.core import display
from riskcheck.core.content import question_number
from riskcheck.core.engine import visible_values
from riskcheck.core.i18n import SOURCE_LANGUAGE, _, _n, current, format_date, format_number, format_short
from riskcheck.core.loader import LoadedAssessment
from riskcheck.core.questionnaire import EvidenceQuestion, Question
from riskcheck.core.vocabulary import SEVERITY_RANK
from riskcheck.fairness.spec import CLASSIFICATION_METRICS, REGRESSION_METRICS
from riskcheck.report import charts

KNOWN_FRAMEWORKS = {
    "eu-ai-act": "EU AI Act",
    "gdpr": "GDPR",
    "nist-ai-rmf": "NIST AI RMF",
    "iso-42001": "ISO/IEC 42001",
}
_ROMAN = re.compile(r"^annex-([ivxl]+)(.*)$")


def build_context(result: Mapping[str, Any], loaded: LoadedAssessment, *, tool_version: str) -> dict[str, Any]:
    """The template context for one report."""
    spec = loaded.questionnaire.spec
    # Short names in running text; the questionnaire's full titles head the framework index.
    frameworks = {f.id: f.title for f in spec.frameworks}
    frameworks.update(KNOWN_FRAMEWORKS)
    titles = dict(KNOWN_FRAMEWORKS)
    titles.update({f.id: f.title for f in spec.frameworks})
    questions = {q.id: q.question for q in loaded.questionnaire.order}
    # Readers see question numbers (2.3), as in the answers section, never ids.
    numbers = {qid: question_number(loaded.questionnaire, qid) or qid for qid in questions}
    system = result["system"]
    findings = sorted(result["findings"], key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["id"]))
    return {
        "result": result,
        "system": system,
        "questionnaire": result["questionnaire"],
        "tool_version": tool_version,
        "assessed_on": system.get("assessed_on"),
        "confidentiality": system.get("confidentiality") or _("Confidential"),
        "findings": [_finding(f, questions, frameworks, numbers) for f in findings],
        "severity_counts": _severity_counts(findings),
        "blocking_count": sum(1 for f in findings if f["blocks_launch"]),
        "tier_scale": charts.tier_scale(result),
        "section_chart": charts.section_chart(result["sections"]),
        "classification": _classification(result.get("classification")),
        "answer_sections": _answer_sections(loaded, result),
        "fairness": _fairness(result.get("fairness"), _fairness_rules(loaded, result), findings),
        "framework_index": _framework_index(loaded, findings, titles, result.get("classification")),
        "trace": _trace(result, questions, numbers, {s.id: s.title for s in spec.sections}, findings),
        "signoff": _signoff(result["signoffs"]),
        "draft": list(result.get("draft") or ()),
        "missing_numbers": sorted(
            (numbers.get(qid, qid) for qid in result["completeness"]["missing"]), key=_clause_key
        ),
        "hashes": _hashes(result),
        "questions": questions,
        "archived_answers": [a.model_dump(mode="json") for a in loaded.file.archived_answers],
        "evidence_register": _evidence_register(loaded),
    }


# ---------------------------------------------------------------- references


def _classification(classification: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The result's classification, each duty's ``when`` in the language in use."""
    if not classification or current().lang == SOURCE_LANGUAGE:
        return classification
    duties = []
    for duty in classification.get("duties") or ():
        day = format_date(duty["applies_from"]) if duty.get("applies_from") else ""
        when = {
            "applies_now": _("applies now"),
            "undated": _("applies from {date} (no assessment date)", date=day),
            "applies_later": _("applies from {date}", date=day),
        }.get(duty.get("status"), duty.get("when"))
        duties.append({**duty, "when": when})
    return {**classification, "duties": duties}


def appendix_letters(data: Mapping[str, Any]) -> dict[str, str]:
    """Letters for the appendices that follow A-C, in the order they are printed, with no gaps.

    Archived answers, the evidence register and the change log appear only when there is
    something to list, so a lawyer never looks for an Appendix D that is not there.
    """
    present = [
        ("archived", bool(data.get("archived_answers"))),
        ("evidence", bool(data.get("evidence_register"))),
        ("changelog", data.get("change_log") is not None),
    ]
    letters = iter("DEFGH")
    return {name: next(letters) if shown else "" for name, shown in present}


def reference_label(reference: str, frameworks: Mapping[str, str]) -> str:
    """``eu-ai-act:art-10(2)(f)`` -> ``EU AI Act Art. 10(2)(f)`` (``Règlement sur l'IA art. 10(2)(f)``)."""
    framework, _sep, clause = reference.partition(":")
    # The names the law has in the reader's language; other frameworks keep their titles.
    names = {"eu-ai-act": _("EU AI Act"), "gdpr": _("GDPR")}
    title = frameworks.get(framework, framework)
    if framework in names and title == KNOWN_FRAMEWORKS[framework]:
        title = names[framework]
    return f"{title} {clause_label(clause)}"


def clause_label(clause: str) -> str:
    if clause.startswith("art-"):
        return _("Art. {clause}", clause=clause[4:])
    if clause.startswith("recital-"):
        return _("Recital {clause}", clause=clause[8:])
    match = _ROMAN.match(clause)
    if match:
        return _("Annex {number}", number=match[1].upper() + match[2])
    if re.match(r"^(GOVERN|MAP|MEASURE|MANAGE)-", clause):
        return clause.replace("-", " ", 1)
    return clause


def _clause_key(clause: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", clause))


# ---------------------------------------------------------------- values


def answer_lines(question: Question | None, value: Any) -> list[str]:
    """An answer as lines of text in the reader's language; an empty list means unanswered."""
    return display.answer_lines(question, value, yes=_("Yes"), no=_("No"), decimal=format_number)


def answer_text(question: Question | None, value: Any) -> str:
    """An answer in words: Yes, No, the option's label, or Not answered; never True, False or None."""
    return display.answer_text(
        question, value, unanswered=_("Not answered"), yes=_("Yes"), no=_("No"), decimal=format_number
    )


def figure_label(name: str) -> str:
    """``fairness.disparate_impact_ratio`` -> ``fairness figure: disparate impact ratio``."""
    if name.startswith("fairness."):
        return _("fairness figure: {name}", name=name.removeprefix("fairness.").replace("_", " "))
    # The other facts a threshold breach records beside its figure.
    words = {"limit": _("limit"), "groups": _("groups")}
    return words.get(name, name.replace("_", " "))


def figure_text(value: Any) -> str:
    """A measured figure: always four decimals, the same for every figure of its kind."""
    if value is None:
        return _("undefined")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float)):
        return format_number(float(value), 4, whole=False)
    return str(value)


def is_link(text: str) -> bool:
    """Only web links become clickable; anything else is shown as text."""
    return bool(re.match(r"^https?://[^\s<>\"']+$", text))


# ---------------------------------------------------------------- findings


def _finding(
    finding: Mapping[str, Any],
    questions: Mapping[str, Question],
    frameworks: Mapping[str, str],
    numbers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    triggers = []
    for key, value in finding["triggered_by"].items():
        question = questions.get(key)
        if question is not None:
            triggers.append(
                {
                    "id": key,
                    "number": (numbers or {}).get(key, key),
                    "text": question.text,
                    "value": answer_text(question, value),
                }
            )
        else:
            shown = _bound_text(value) if key == "limit" else figure_text(value)
            triggers.append({"id": key, "number": None, "text": figure_label(key), "value": shown})
    return {
        **finding,
        "mitigation": finding.get("mitigation"),  # riskcheck's own is translated where the engine writes it
        "reference_labels": [reference_label(r, frameworks) for r in finding["references"]],
        "triggers": triggers,
    }


def _bound_text(value: Any) -> str:
    """A breach's ``limit`` (``min 0.8``) in words of the language in use."""
    match = re.fullmatch(r"(min|max) (-?[0-9.eE+-]+)", str(value))
    if match is None:
        return figure_text(value)
    limit = format_short(float(match[2]))
    return _("min {limit}", limit=limit) if match[1] == "min" else _("max {limit}", limit=limit)


def _severity_counts(findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    counts = {s: 0 for s in SEVERITY_RANK}
    for finding in findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    return [(s, n) for s, n in counts.items() if n]


# ---------------------------------------------------------------- answers


def _answer_sections(loaded: LoadedAssessment, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    compiled = loaded.questionnaire
    _values, visible = visible_values(compiled, loaded.answers.values)
    points = {c["question"]: c for c in result["trace"]["contributions"]}
    section_state = {s["id"]: s for s in result["sections"]}
    sections = []
    for s_index, section in enumerate(compiled.spec.sections, start=1):
        rows = []
        hidden = 0
        for q_index, question in enumerate(section.questions, start=1):
            if question.id not in visible:
                hidden += 1
                continue
            value = loaded.answers.values.get(question.id)
            lines = answer_lines(question, value)
            links = lines if isinstance(question, EvidenceQuestion) else []
            evidence = list(loaded.answers.evidence.get(question.id, ()))
            contribution = points.get(question.id)
            rows.append(
                {
                    "number": f"{s_index}.{q_index}",
                    "id": question.id,
                    "text": question.text,
                    "help": question.help,
                    "required": question.required,
                    "answered": bool(lines),
                    "lines": [] if links else lines,
                    "links": [{"text": link, "href": link if is_link(link) else None} for link in links],
                    "evidence": [{"text": link, "href": link if is_link(link) else None} for link in evidence],
                    "comment": loaded.answers.comments.get(question.id),
                    "points": None if contribution is None else contribution["points"],
                    "max_points": None if contribution is None else contribution["max"],
                    "references": list(question.references),
                }
            )
        state = section_state.get(section.id, {})
        sections.append(
            {
                "number": s_index,
                "id": section.id,
                "title": section.title,
                "description": section.description,
                "visible": state.get("visible", True),
                "rows": rows,
                "hidden": hidden,
                "unanswered": sum(1 for r in rows if not r["answered"]),
            }
        )
    return sections


# ---------------------------------------------------------------- fairness

FAIRNESS_METRIC_ORDER: tuple[str, ...] = CLASSIFICATION_METRICS + REGRESSION_METRICS[1:]


def _fairness_rules(loaded: LoadedAssessment, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every rule of the questionnaire that reads a fairness figure, and whether it fired."""
    fired = {rule["id"] for rule in result["trace"]["rules_fired"]}
    rules = []
    for compiled in loaded.questionnaire.rules:
        metrics = sorted(compiled.when.fairness_names)
        if metrics:
            rule = compiled.rule
            rules.append(
                {
                    "id": rule.id,
                    "message": rule.message,
                    "condition": compiled.when.source,
                    "metrics": metrics,
                    "fired": rule.id in fired,
                }
            )
    return rules


def is_fairness_finding(finding: Mapping[str, Any]) -> bool:
    """A threshold breach, or a rule finding that a fairness figure triggered."""
    return finding["source"] == "fairness" or any(str(k).startswith("fairness.") for k in finding["triggered_by"])


def _on_words() -> dict[str, str]:
    return {"value": _("the value"), "ci_low": _("the lower CI bound"), "ci_high": _("the upper CI bound")}


def _threshold_tests(
    name: str, entry: Mapping[str, Any], limit: Mapping[str, Any], breached: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    """One test per bound of a ``thresholds:`` entry, naming the figure it judges."""
    on = limit.get("on", "value")
    judged = entry.get("value") if on == "value" else entry.get(on)
    shown = _("undefined") if judged is None else format_number(float(judged), 4)
    tests = []
    for bound, sign in (("min", "\u2265"), ("max", "\u2264")):
        if limit.get(bound) is None:
            continue
        failed = (name, bound) in breached
        tests.append(
            {
                "kind": "threshold",
                "text": _(
                    "threshold: {figure} ({value}) must be {sign} {limit}",
                    figure=_on_words().get(on, on),
                    value=shown,
                    sign=sign,
                    limit=format_short(float(limit[bound])),
                ),
                "outcome": _("breached") if failed else _("met"),
                "failed": failed,
                "condition": None,
            }
        )
    return tests


def _fairness(
    fairness: Mapping[str, Any] | None,
    rules: Sequence[Mapping[str, Any]] = (),
    findings: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any] | None:
    if not fairness:
        return None
    by_group: Mapping[str, Mapping[str, Any]] = fairness.get("by_group") or {}
    present: list[str] = []
    for metrics in by_group.values():
        for name in metrics:
            if name not in present:
                present.append(name)
    order = {name: i for i, name in enumerate(FAIRNESS_METRIC_ORDER)}
    columns = sorted(present, key=lambda n: (order.get(n, 99), n))
    left_out: dict[str, str] = {}
    rate_notes: dict[tuple[str, str], str] = {}
    for entry in fairness.get("insufficient_evidence") or ():
        if entry["scope"] == "group":
            left_out[entry["group"]] = entry["reason"]
        for metric in entry["metrics"]:
            rate_notes[(entry["group"], metric)] = entry["reason"]
    groups = []
    for group in fairness.get("groups") or by_group.keys():
        metrics = by_group.get(group, {})
        cells = []
        for name in columns:
            value = metrics.get(name)
            if name == "count":
                text = _("n/a") if value is None else format_number(int(value))
            else:
                text = _("undefined") if value is None else format_number(value, 3, False)
            cells.append({"text": text, "undefined": value is None, "note": (group, name) in rate_notes})
        groups.append({"name": group, "cells": cells, "left_out": left_out.get(group)})
    overall = fairness.get("overall") or {}
    overall_cells = []
    for name in columns:
        value = overall.get(name)
        if name == "count":
            overall_cells.append(_("n/a") if value is None else format_number(int(value)))
        else:
            overall_cells.append(_("undefined") if value is None else format_number(value, 3, False))
    thresholds = fairness.get("thresholds") or {}
    breached = {(b["metric"], b["bound"]) for b in fairness.get("breaches") or ()}
    disparities = []
    for name, entry in (fairness.get("disparities") or {}).items():
        limit = thresholds.get(name)
        # Every test the figure is judged by, whatever judges it: the assessment's
        # thresholds and the questionnaire's rules, each with its outcome.
        tests = _threshold_tests(name, entry, limit, breached) if limit else []
        for rule in rules:
            if name in rule["metrics"]:
                tests.append(
                    {
                        "kind": "rule",
                        "text": _("rule {id}: {text}", id=rule["id"], text=rule["message"]),
                        "condition": rule["condition"],
                        "outcome": _("finding raised") if rule["fired"] else _("not triggered"),
                        "failed": rule["fired"],
                    }
                )
        failed = any(t["failed"] for t in tests)
        disparities.append(
            {
                "name": name,
                "value": entry.get("value"),
                "ci_low": entry.get("ci_low"),
                "ci_high": entry.get("ci_high"),
                "groups": entry.get("groups") or [],
                "detail": entry.get("detail") or "",
                "threshold": _threshold_text(limit) if limit else None,
                "tests": tests,
                "status": "breach" if failed else ("within" if tests else "not judged"),
            }
        )
    fairness_findings = [f for f in findings if is_fairness_finding(f)]
    counts = [int(m.get("count") or 0) for m in by_group.values() if m.get("count") is not None]
    smallest = None
    if counts:
        size = min(counts)
        smallest = {"size": size, "groups": [g for g, m in by_group.items() if m.get("count") == size]}
    config = fairness.get("config") or {}
    return {
        **fairness,
        "columns": columns,
        "column_labels": [_metric_label(c) for c in columns],
        "column_legend": [
            (_metric_label(c), _metric_name(c))
            for c in columns
            if METRIC_LABELS.get(c, c) != c.replace("_", " ").capitalize()
        ],
        "group_rows": groups,
        "overall_cells": overall_cells,
        "rate_notes": [{"group": g, "metric": m, "reason": r} for (g, m), r in sorted(rate_notes.items())],
        "left_out": [{"group": g, "reason": r} for g, r in left_out.items()],
        "disparity_rows": disparities,
        "findings": fairness_findings,
        "breach_count": len(fairness.get("breaches") or ()),
        "rule_finding_count": sum(1 for f in fairness_findings if f["source"] != "fairness"),
        "smallest_group": smallest,
        "chart": charts.disparity_chart(fairness, [d["name"] for d in disparities if d["status"] == "breach"]),
        "confidence": (config.get("bootstrap") or {}).get("confidence"),
        "replicates": (config.get("bootstrap") or {}).get("replicates"),
        "sensitive": config.get("sensitive") or [],
        "source": [*_fairness_source(config), (_("Fairness data file"), str(fairness.get("data_identity_note", "")))],
    }


#: Short column heads for the per-group table (explained in a legend below it).
METRIC_LABELS = {
    "count": "Rows",
    "selection_rate": "Selection rate",
    "true_positive_rate": "TPR",
    "false_positive_rate": "FPR",
    "false_negative_rate": "FNR",
    "true_negative_rate": "TNR",
    "precision": "Precision",
    "accuracy": "Accuracy",
    "balanced_accuracy": "Bal. accuracy",
    "mean_prediction": "Mean prediction",
    "mean_absolute_error": "MAE",
}


def _metric_label(metric: str) -> str:
    """The short column head of a metric, in the current language."""
    labels = {
        "count": _("Rows"),
        "selection_rate": _("Selection rate"),
        "true_positive_rate": _("TPR"),
        "false_positive_rate": _("FPR"),
        "false_negative_rate": _("FNR"),
        "true_negative_rate": _("TNR"),
        "precision": _("Precision"),
        "accuracy": _("Accuracy"),
        "balanced_accuracy": _("Bal. accuracy"),
        "mean_prediction": _("Mean prediction"),
        "mean_absolute_error": _("MAE"),
    }
    return labels.get(metric, metric.replace("_", " "))


def _metric_name(metric: str) -> str:
    """The full name of a metric whose column head is abbreviated, for the legend."""
    names = {
        "true_positive_rate": _("true positive rate"),
        "false_positive_rate": _("false positive rate"),
        "false_negative_rate": _("false negative rate"),
        "true_negative_rate": _("true negative rate"),
        "balanced_accuracy": _("balanced accuracy"),
        "mean_absolute_error": _("mean absolute error"),
        "count": _("count"),
    }
    return names.get(metric, metric.replace("_", " "))


def _threshold_text(limit: Mapping[str, Any]) -> str:
    parts = []
    if limit.get("min") is not None:
        parts.append(f"\u2265 {format_short(float(limit['min']))}")
    if limit.get("max") is not None:
        parts.append(f"\u2264 {format_short(float(limit['max']))}")
    on = limit.get("on", "value")
    where = {"value": "", "ci_low": " " + _("(lower CI bound)"), "ci_high": " " + _("(upper CI bound)")}
    return _(" and ").join(parts) + where.get(on, f" ({on})")


def _fairness_source(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for key, label in (
        ("data", _("Data")),
        ("target", _("Target")),
        ("prediction", _("Prediction column")),
        ("score", _("Score column")),
        ("threshold", _("Score threshold")),
        ("model", _("Model")),
        ("where", _("Rows used")),
        ("compare", _("Comparison")),
        ("reference_group", _("Reference group")),
        ("min_group_size", _("Minimum group size (setting)")),
    ):
        value = config.get(key)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, Mapping):
            value = ", ".join(f"{k} = {v}" for k, v in value.items())
        rows.append((label, str(value)))
    return rows


# ---------------------------------------------------------------- appendices


def _framework_index(
    loaded: LoadedAssessment,
    findings: Sequence[Mapping[str, Any]],
    frameworks: Mapping[str, str],
    classification: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    _values, visible = visible_values(loaded.questionnaire, loaded.answers.values)
    clauses: dict[str, dict[str, list[str]]] = {}

    def add(reference: str, kind: str, item: str) -> None:
        entry = clauses.setdefault(reference, {"questions": [], "findings": [], "classification": []})
        if item not in entry[kind]:
            entry[kind].append(item)

    # Only what applies to this system: a clause reached only through questions that
    # are hidden here says nothing about it (`riskcheck coverage` lists every clause).
    for question in loaded.questionnaire.order:
        if question.id not in visible:
            continue
        for reference in question.question.references:
            add(reference, "questions", question_number(loaded.questionnaire, question.id) or question.id)
    for finding in findings:
        for reference in finding["references"]:
            add(reference, "findings", finding["id"])
    if classification and classification.get("outcome"):
        for reference in [*classification.get("references", []), *classification.get("flag_references", [])]:
            add(reference, "classification", classification.get("label") or classification["outcome"])
    order = {name: i for i, name in enumerate(frameworks)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for reference in sorted(
        clauses,
        key=lambda r: (order.get(r.partition(":")[0], 99), r.partition(":")[0], _clause_key(r.partition(":")[2])),
    ):
        framework, _sep, clause = reference.partition(":")
        entry = clauses[reference]
        entry["questions"] = sorted(entry["questions"], key=_clause_key)
        groups.setdefault(framework, []).append({"reference": reference, "clause": clause_label(clause), **entry})
    return [{"id": f, "title": frameworks.get(f, f), "clauses": rows} for f, rows in groups.items()]


def _trace(
    result: Mapping[str, Any],
    questions: Mapping[str, Question],
    numbers: Mapping[str, str] | None = None,
    section_titles: Mapping[str, str] | None = None,
    findings: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    trace = result["trace"]
    numbers = numbers or {}
    contributions = []
    for c in trace["contributions"]:
        question = questions.get(c["question"])
        contributions.append(
            {
                **c,
                "number": numbers.get(c["question"], c["question"]),
                "text": question.text if question is not None else c["question"],
                "section_title": (section_titles or {}).get(c["section"], c["section"]),
                "value_text": answer_text(question, c["value"]),
            }
        )
    messages = {f["id"]: f["message"] for f in findings}
    rules = []
    for rule in trace["rules_fired"]:
        values = []
        for key, value in rule["values"].items():
            question = questions.get(key)
            if question is not None:
                values.append({"name": numbers.get(key, key), "value": answer_text(question, value)})
            else:
                values.append({"name": figure_label(key), "value": figure_text(value)})
        # The rule in words first (its finding's message), the expression second.
        rules.append({**rule, "message": messages.get(rule["id"], ""), "value_rows": values})
    # The appendix lists the answers that scored; the attached JSON has every row.
    scored = [c for c in contributions if c["points"]]
    return {
        **trace,
        "contribution_rows": scored,
        "unscored_count": len(contributions) - len(scored),
        "rule_rows": rules,
    }


def _signoff(signoffs: Mapping[str, Any]) -> dict[str, Any]:
    records = list(signoffs["records"])
    roles = signoffs["roles"]
    shown: set[int] = set()
    rows = []
    for role in signoffs["required_roles"]:
        mine = [(i, r) for i, r in enumerate(records) if r["role"] == role]
        counting = next(((i, r) for i, r in reversed(mine) if r["current"]), None) or (mine[-1] if mine else None)
        if counting is not None:
            shown.add(counting[0])
        rows.append({"role": role, "state": roles.get(role, "missing"), "record": counting[1] if counting else None})
    others = [r for i, r in enumerate(records) if i not in shown]
    return {
        "status": signoffs["status"],
        "rows": rows,
        "others": others,
        "records": records,
        "cover_notes": _cover_notes([row["record"] for row in rows if row["record"] is not None]),
    }


def _cover_notes(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """The stale notes for the cover, one line per change: the approvals it made stale share it."""
    grouped: dict[tuple[str, str], list[str]] = {}
    notes: list[str] = []
    for record in records:
        note = record.get("note")
        if not note:
            continue
        prefix, _sep, changes = note.partition(": ")
        if record.get("changed") and prefix.startswith("changed since"):
            grouped.setdefault((record["timestamp"][:10], changes), []).append(record["name"])
        elif note not in notes:
            notes.append(note)
    for (day, changes), names in grouped.items():
        who = names[0] if len(names) == 1 else _("{names} and {last}", names=", ".join(names[:-1]), last=names[-1])
        notes.insert(
            0,
            _n(
                "changed since the approval of {who} on {day}: {changes}",
                "changed since the approvals of {who} on {day}: {changes}",
                len(names),
                who=who,
                day=day,
                changes=changes,
            ),
        )
    return notes


def _hashes(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    hashes = result["hashes"]
    rows = [
        (_("Content (what a sign-off covers)"), hashes["content"]),
        (_("Questionnaire (canonical)"), hashes["questionnaire"]),
        (_("Answers (canonical)"), hashes["answers"]),
        (_("Fairness evidence"), hashes["evidence"] or _("none")),
    ]
    fairness = result.get("fairness")
    if fairness:
        rows.append((_("Fairness data file"), fairness.get("data_sha256") or _("none")))
        rows.append((_("Model file"), fairness.get("model_sha256") or _("none (predictions given)")))
    return rows


def format_timestamp(text: str) -> str:
    """``2026-11-02T10:00:00+00:00`` -> ``2026-11-02 10:00 UTC``."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(0):
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.isoformat(sep=" ", timespec="minutes")


def join(items: Iterable[str], separator: str = ", ") -> str:
    return separator.join(items)


def _evidence_register(loaded: LoadedAssessment) -> list[dict[str, Any]]:
    """Each evidence link with its question and the hash of a local file (no dates: see riskcheck.audit.evidence)."""
    from riskcheck.audit.evidence import evidence_register

    return [item.to_dict() for item in evidence_register(loaded, dates=False).items]
