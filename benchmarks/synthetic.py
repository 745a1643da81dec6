"""Synthetic questionnaires and answers of a chosen size, for benchmarks."""

from __future__ import annotations

import random
from typing import Any

import yaml


def questionnaire(questions: int = 100, rules: int = 30, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    sections: list[dict[str, Any]] = []
    per_section = 10
    ids: list[tuple[str, str, list[str]]] = []
    for s in range(questions // per_section):
        items = []
        for i in range(per_section):
            n = s * per_section + i
            qid = f"q{n:03d}"
            kind = ("yes_no", "single_choice", "multiple_choice", "number")[n % 4]
            question: dict[str, Any] = {
                "id": qid,
                "type": kind,
                "text": f"Question {n}?",
                "help": "Synthetic question for benchmarks.",
                "references": ["nist-ai-rmf:MAP-1.1"],
            }
            options: list[str] = []
            if kind == "yes_no":
                question["points"] = {"yes": rng.randint(0, 5), "no": 0}
            elif kind in ("single_choice", "multiple_choice"):
                options = [f"o{k}" for k in range(4)]
                question["options"] = [{"value": o, "points": rng.randint(0, 5)} for o in options]
            else:
                question["min"] = 0
                question["points"] = [{"max": 100, "points": 0}, {"min": 101, "points": 3}]
            if n % 5 == 4 and ids:
                previous = ids[-1]
                question["when"] = _condition(previous)
            ids.append((qid, kind, options))
            items.append(question)
        sections.append({"id": f"s{s}", "title": f"Section {s}", "weight": 1 + s % 3, "questions": items})
    rule_list = []
    for r in range(rules):
        a, b = rng.sample(ids, 2)
        rule_list.append(
            {
                "id": f"rule-{r}",
                "when": f"({_condition(a)}) and ({_condition(b)})",
                "severity": ("low", "medium", "high")[r % 3],
                "message": f"Rule {r} fired.",
                "mitigation": "Do the thing.",
            }
        )
    return {
        "id": "bench",
        "version": "1.0.0",
        "title": "Benchmark questionnaire",
        "sections": sections,
        "rules": rule_list,
        "scoring": {
            "model": "weighted_sections",
            "tiers": [{"id": "low", "min": 0}, {"id": "medium", "min": 25}, {"id": "high", "min": 50}],
        },
    }


def _condition(item: tuple[str, str, list[str]]) -> str:
    qid, kind, options = item
    if kind == "yes_no":
        return f"{qid} == 'yes'"
    if kind == "single_choice":
        return f"{qid} in ['{options[1]}', '{options[2]}']"
    if kind == "multiple_choice":
        return f"'{options[0]}' in {qid}"
    return f"{qid} > 50"


def answers(spec: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    result: dict[str, Any] = {}
    for section in spec["sections"]:
        for q in section["questions"]:
            if q["type"] == "yes_no":
                result[q["id"]] = rng.random() < 0.5
            elif q["type"] == "single_choice":
                result[q["id"]] = rng.choice(q["options"])["value"]
            elif q["type"] == "multiple_choice":
                result[q["id"]] = sorted({rng.choice(q["options"])["value"] for _ in range(2)})
            else:
                result[q["id"]] = rng.randint(0, 200)
    return result


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)
