"""The rendered PDF: what legal must see, archival form, determinism."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from riskcheck.report.render import ATTACHMENT_NAME, render_pdf
from tests.report.conftest import FIXTURES, Rendered, flat, render


def test_cover_shows_system_tier_and_signoff_status(demo_report: Rendered) -> None:
    cover = flat(demo_report.pages[0])
    for phrase in (
        "Loan pre-screening",
        "Version 2.3.1",
        "OVERALL RISK TIER MEDIUM Score 44.05 of 100",
        "SIGN-OFF STATUS ○ PENDING product: missing · legal: missing · privacy: missing",
        "Owner credit-risk-ml@example.com",
        "Date of assessment 2026-10-15",
        "Questionnaire Responsible-AI pre-launch review report-demo@1.2.0",
        "EU AI Act risk class High-risk (Annex III)",
        "Completeness 12 of 12 required questions answered (complete)",
        f"Content sha256 {demo_report.result['hashes']['content']}",
        "CONFIDENTIAL - LEGAL REVIEW ONLY",
    ):
        assert phrase in cover, phrase


def test_every_page_is_numbered_page_x_of_y_with_running_header(demo_report: Rendered) -> None:
    pages = demo_report.pages
    total = len(pages)
    assert total >= 8
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
    for text in pages[1:]:
        assert "Loan pre-screening CONFIDENTIAL - LEGAL REVIEW ONLY" in flat(text)
        assert f"content sha256 {demo_report.result['hashes']['content']}" in flat(text)


def test_executive_summary_states_tier_score_thresholds_and_class(demo_report: Rendered) -> None:
    summary = flat(demo_report.pages[1])
    assert "RISK TIER Medium score 44.05 of 100" in summary
    assert "BLOCKING FINDINGS 0 3 findings in all" in summary
    assert "COMPLETENESS 100% 12 of 12 required answered" in summary
    assert "EU AI ACT RISK CLASS High-risk (Annex III)" in summary
    assert (
        "EU AI Act risk class The questionnaire classifies this system as High-risk (Annex III). "
        "The articles it rests on: EU AI Act Art. 6(2) EU AI Act Annex III(5)(b)" in summary
    )
    # The articles are a list, not a paragraph.
    articles = '<ul class="articles"><li>EU AI Act Art. 6(2)</li><li>EU AI Act Annex III(5)(b)</li></ul>'
    assert articles in demo_report.html
    assert (
        "Its weighted score is 44.05 on a scale of 0 to 100. The next tier, high, starts at 50 (5.95 away)." in summary
    )
    assert "Low 0 Medium 25 ▶ this tier High 50 Critical 75" in summary
    # The section chart carries its figures as text.
    # dpia_link is hidden (no DPIA done), so its 2 points leave the data protection maximum.
    for label in ("System profile 86% (12 of 14)", "Data protection 75% (9 of 12)", "Fairness 14% (1 of 7)"):
        assert label in summary


def test_every_finding_appears_with_its_mitigation_references_and_trigger(demo_report: Rendered) -> None:
    text = flat(demo_report.text)
    section = text[text.index("Findings 3 findings, most severe first") :]
    for finding in demo_report.result["findings"]:
        assert flat(finding["message"]) in section
        assert flat(f"REQUIRED MITIGATION {finding['mitigation']}") in section
    assert "REFERENCES GDPR Art. 35" in section
    # Question numbers and answers in words, never ids or True/False.
    assert (
        "TRIGGERED BY 2.3 Has a data protection impact assessment been done?: No "
        "2.1 Does it process personal data?: Yes" in section
    )
    assert (
        "TRIGGERED BY fairness figure: demographic parity ratio: 0.7865 limit: min 0.8 groups: group_b, group_a"
        in section
    )
    assert "dpia_done" not in section[: section.index("Fairness Measured on")]
    # Sorted by severity: both high findings come before the medium one.
    assert section.index("HIGH demographic_parity_ratio") < section.index("HIGH Personal data is processed")
    assert section.index("HIGH Personal data is processed") < section.index("MEDIUM Special-category")


def test_each_visible_answer_with_comment_and_evidence(demo_report: Rendered) -> None:
    text = flat(demo_report.text)
    answers = text[text.index("Answers The answers as they count") : text.index("Sign-off Status")]
    for phrase in (
        "1.1 What is the system used for? use_case · EU AI Act Annex III(5)(b) Credit scoring of natural persons",
        "1.2 How are decisions made? decision_type · EU AI Act Art. 14; GDPR Art. 22 A person reviews every decision "
        "Analysts review every application the model flags.",
        "1.3 Does it affect people? affects_people · GDPR Art. 22 Yes",
        "120,000 people per year",
        "1.5 Planned launch date launch_date 2027-01-15",
        "Scores applications and orders the manual review queue.",
        "2.2 Which special categories of personal data does it process?",
        "Health Disability status is used for affordability adjustments.",
        "2.3 Has a data protection impact assessment been done?",
        "3.1 Has the model been tested for bias across groups?",
        "Evidence: \u2022 https://wiki.example.com/loan-bias-",  # the line breaks after the hyphen
        "3.2 Link to the bias test report bias_report · NIST AI RMF MEASURE 2.11 \u2022 https://wiki.example.com/loan-bias-",
        "docs/bias/2026-09.md",
        "3.3 How is fairness monitored after launch? monitoring · EU AI Act Art. 72 Quarterly review",
        "4.1 Does the system evaluate people by their social behaviour (social scoring)?",
        "1 question in this section does not apply and is left out.",
    ):
        assert phrase in answers, phrase
    # dpia_link is hidden (no DPIA was done): omitted from the answers.
    assert "Link to the data protection impact assessment" not in answers


def test_fairness_section_has_figures_groups_and_hashes(demo_report: Rendered) -> None:
    fairness = demo_report.result["fairness"]
    text = flat(demo_report.text)
    section = text[text.index("Fairness Measured on") : text.index("Answers The answers")]
    assert "Measured on 400 rows (classification, duckdb engine), by applicant_group: 4 groups." in section
    assert "Intervals are 95% bootstrap intervals from 200 replicates." in section
    assert "1 fairness finding: 1 from the assessment's thresholds, 0 from the questionnaire's rules" in section
    dpr = fairness["disparities"]["demographic_parity_ratio"]
    assert (
        f"demographic parity ratio {dpr['value']:.4f} [{dpr['ci_low']:.4f}, {dpr['ci_high']:.4f}] "
        f"✗ breached: threshold: the value ({dpr['value']:.4f}) must be ≥ 0.8"
    ) in section
    eod = fairness["disparities"]["equalized_odds_difference"]
    assert (
        f"{eod['value']:.4f} [{eod['ci_low']:.4f}, {eod['ci_high']:.4f}] "
        f"✓ met: threshold: the upper CI bound ({eod['ci_high']:.4f}) must be ≤ 0.25"
    ) in section
    a = fairness["by_group"]["group_a"]
    assert f"group_a 180 {a['selection_rate']:.3f} {a['true_positive_rate']:.3f}" in section
    # group_d has too few rows: marked, and its reason given.
    assert "group_d †" in section
    assert "† Insufficient evidence; left out of the disparities: group_d (" in section
    assert f"Data sha256 {fairness['data_sha256']}" in section
    assert "Model sha256 none (predictions or scores read from the data)" in section


def test_signoff_block_lists_every_required_role(demo_report: Rendered) -> None:
    text = flat(demo_report.text)
    block = text[text.index("Sign-off Status") : text.index("Appendix A. Framework index")]
    for role in ("product", "legal", "privacy"):
        assert f"{role.capitalize()} ○ MISSING Role {role} Name Decision Date Signature" in block
    # How to record a decision is a footnote, not text in the empty blocks.
    assert (
        "\u00b9 Record a decision with riskcheck sign FILE --role ROLE --name NAME --decision approve|reject" in block
    )


def test_appendices_index_trace_hashes_and_version(demo_report: Rendered) -> None:
    text = flat(demo_report.text)
    index = text[text.index("Appendix A. Framework index") : text.index("Appendix B. Scoring trace")]
    # Question numbers, not ids; dpia_link (2.4) does not apply here, so it is left out.
    assert "Art. 35 2.3 no-dpia" in index
    assert "2.4" not in index
    assert "Art. 5(1)(c) 4.1 —" in index
    assert "MEASURE 2.11 3.1, 3.2 fairness.demographic_parity_ratio" in index
    trace = text[text.index("Appendix B. Scoring trace") : text.index("Appendix C.")]
    assert "1.2 How are decisions made? System profile A person reviews every decision 2 4" in trace
    # The rule in words first, its expression second, the answers it read as Yes / No.
    assert (
        "Personal data is processed without a data protection impact assessment. "
        "no-dpia: personal_data and dpia_done == 'no' \u2022 2.3: No \u2022 2.1: Yes"
    ) in trace
    assert "True" not in trace and "False" not in trace and "None" not in trace
    hashes = demo_report.result["hashes"]
    assert f"Questionnaire (canonical) {hashes['questionnaire']}" in text
    assert f"Answers (canonical) {hashes['answers']}" in text
    assert f"Fairness evidence {hashes['evidence']}" in text
    assert "TOOL riskcheck " in text


def test_bookmarks_for_every_section(demo_report: Rendered) -> None:
    outline = demo_report.reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == [
        "Cover",
        "Executive summary",
        "Findings",
        "Fairness",
        "Answers",
        "Sign-off",
        "Appendix A. Framework index",
        "Appendix B. Scoring trace",
        "Appendix C. Hashes and provenance",
        # Lettered in order with no gaps: the demo has evidence links but no archived answers.
        "Appendix D. Evidence register",
    ]


def test_pdfa_3a_with_metadata_and_the_result_attached(demo_report: Rendered) -> None:
    reader = demo_report.reader
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == "Risk assessment: Loan pre-screening 2.3.1"
    assert metadata.author == "credit-risk-ml@example.com"
    assert metadata.subject == (
        "riskcheck sign-off report: Responsible-AI pre-launch review (report-demo@1.2.0), tier Medium"
    )
    assert metadata["/Keywords"] == "riskcheck, AI risk assessment, tier medium, report-demo, High-risk (Annex III)"
    assert metadata["/CreationDate"] == "D:20261015000000Z"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    # Level A: the archival profile that also requires a tagged, accessible document.
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    score = subprocess.run(
        [sys.executable, "-m", "riskcheck", "score", str(FIXTURES / "assessment.yaml"), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    attached = reader.attachments[ATTACHMENT_NAME]
    assert attached == [score.stdout.encode("utf-8")]
    # PDF/A-3 associates the file with the document once, through the same file
    # specification the EmbeddedFiles name tree lists.
    catalog = reader.trailer["/Root"]
    embedded = catalog["/Names"]["/EmbeddedFiles"]["/Names"]
    assert [ref.idnum for ref in catalog["/AF"]] == [embedded[1].idnum]
    assert catalog["/AF"][0].get_object()["/AFRelationship"] == "/Data"
    assert json.loads(attached[0])["tier"] == "medium"


def test_two_renders_are_byte_identical(demo_report: Rendered) -> None:
    again = render_pdf(demo_report.result, demo_report.loaded)
    assert again == demo_report.pdf
    ids = re.findall(rb"/ID \[\((\w+)\)", demo_report.pdf) or re.findall(rb"/ID \[<(\w+)>", demo_report.pdf)
    assert ids or b"/ID" in demo_report.pdf


def test_black_and_white_signals_are_text_not_colour(demo_report: Rendered) -> None:
    # Severity, breach and sign-off states are words and symbols, never colour alone.
    text = flat(demo_report.text)
    assert "HIGH Personal data is processed" in text
    assert "✗ breach" in text
    assert "○ MISSING" in text


def test_unanswered_required_question_is_marked(demo: Path) -> None:
    from riskcheck.files.yamledit import set_answers

    set_answers(demo, {}, remove=("monitoring",))
    text = flat(render(demo).text)
    assert (
        "3.3 How is fairness monitored after launch? monitoring · EU AI Act Art. 72 □ Not answered (required)" in text
    )
    assert "Unanswered required questions: 3.3." in text
    # An incomplete assessment is a draft, and says why on its cover.
    assert "DRAFT This report is a draft, not a record to sign, because: the assessment is incomplete" in text


def test_no_text_runs_past_the_right_margin(demo_report: Rendered, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(demo_report.pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    right_margin = 595.276 - 18 * 72 / 25.4  # A4 width less the 18 mm margin, in points
    words = re.findall(r'xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)
    assert len(words) > 1000
    assert [word for x_max, word in words if float(x_max) > right_margin + 0.5] == []


def test_the_pdf_is_tagged_with_an_outline_and_chart_text_alternatives(demo_report: Rendered) -> None:
    reader = demo_report.reader
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    tree = root["/StructTreeRoot"].get_object()

    figures: list[str] = []
    headings: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        kind = node.get("/S")
        if kind == "/Figure":
            figures.append(" ".join(str(node.get("/Alt", "")).split()))
        if kind in ("/H1", "/H2"):
            headings.append(str(kind))
        if "/K" in node:
            walk(node["/K"])

    walk(tree["/K"])
    assert headings.count("/H1") >= 7
    # Every chart has a text alternative that carries its figures.
    assert len(figures) == 3 and all(figures)
    assert figures[0].startswith("Score 44.05 on the tier scale: Low, Medium (this system), High, Critical")
    assert "Data protection 75% (9 of 12)" in figures[1]
    assert "demographic parity ratio 0.7865 [0.6078, 0.8929] (failed a test)" in figures[2]
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:4] == ["Cover", "Executive summary", "Findings", "Fairness"]
