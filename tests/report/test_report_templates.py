"""Custom templates and themes."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskcheck import api
from riskcheck.core.errors import ReportError, YamlError
from riskcheck.core.loader import load_assessment
from riskcheck.report.render import render_html
from riskcheck.report.theme import load_theme
from tests.report.conftest import FIXTURES, flat, render


@pytest.fixture(scope="module")
def scored() -> tuple[dict, object]:
    loaded = load_assessment(FIXTURES / "assessment.yaml")
    return api.score(loaded).to_dict(), loaded


def _extending(tmp_path: Path, blocks: str) -> Path:
    """A report.html of the user's that extends the built-in one and replaces ``blocks``."""
    (tmp_path / "report.html").write_text('{% extends "builtin/report.html" %}' + blocks)
    return tmp_path


def test_a_user_block_replaces_one_part_and_the_rest_stays(tmp_path: Path) -> None:
    _extending(
        tmp_path,
        '{% block findings %}<section class="part"><h1>Our findings</h1>'
        "{% for f in findings %}<p>[{{ f.severity }}] {{ f.id }}</p>{% endfor %}</section>{% endblock %}",
    )
    report = render(FIXTURES / "assessment.yaml", template_dir=tmp_path)
    text = flat(report.text)
    assert "Our findings [high] fairness.demographic_parity_ratio [high] no-dpia [medium] special-category-data" in text
    assert "Findings 3 findings, most severe first" not in text
    assert "Executive summary" in text and "Appendix C. Hashes and provenance" in text


def test_a_user_node_macro_changes_that_kind_of_node_everywhere(tmp_path: Path, scored: tuple) -> None:
    """macros/nodes.html draws each kind of node of the document; a copy of it in --template-dir wins."""
    from riskcheck.report.render import templates_dir

    result, loaded = scored
    builtin = (templates_dir() / "macros" / "nodes.html").read_text()
    assert builtin.count("<h{{ level }}{%") == 1
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "nodes.html").write_text(
        builtin.replace("<h{{ level }}{%", '<h{{ level }} data-house="1"{%')
    )
    html = render_html(result, loaded, template_dir=tmp_path, strict=True)
    default = render_html(result, loaded, strict=True)
    headings = html.count("<h1") + html.count("<h2") + html.count("<h3")
    assert headings > 20
    assert html.count('data-house="1"') == headings
    assert 'data-house="1"' not in default
    # The words are the document's either way.
    assert html.replace(' data-house="1"', "") == default


@pytest.mark.parametrize("retired", ["parts/cover.html", "macros/ui.html"])
def test_an_override_the_report_no_longer_reads_is_an_error(tmp_path: Path, scored: tuple, retired: str) -> None:
    """A customised part must not vanish from the report without a word."""
    result, loaded = scored
    (tmp_path / retired).parent.mkdir(parents=True)
    (tmp_path / retired).write_text("<section><h1>Our cover</h1></section>")
    with pytest.raises(ReportError) as error:
        render_html(result, loaded, template_dir=tmp_path)
    message = str(error.value)
    assert message.startswith(f"{tmp_path.resolve() / retired}: --template-dir: the report no longer reads ")
    assert "blocks of report.html (cover, summary" in message and "macros/nodes.html" in message


def test_a_user_report_can_extend_the_builtin_and_replace_blocks(tmp_path: Path, scored: tuple) -> None:
    result, loaded = scored
    (tmp_path / "report.html").write_text(
        '{% extends "builtin/report.html" %}'
        "{% block extra_style %}h1 { font-variant: small-caps; }{% endblock %}"
        "{% block appendices %}<section><h1>No appendices here</h1></section>{% endblock %}"
    )
    html = render_html(result, loaded, template_dir=tmp_path, strict=True)
    assert "h1 { font-variant: small-caps; }" in html
    assert "<h1>No appendices here</h1>" in html
    assert "Appendix A. Framework index" not in html
    assert "<h1>Executive summary</h1>" in html


def test_strict_templates_fail_loudly_on_a_typo(tmp_path: Path, scored: tuple) -> None:
    result, loaded = scored
    _extending(tmp_path, "{% block summary %}<p>{{ resutl.tier }}</p>{% endblock %}")
    with pytest.raises(ReportError) as error:
        render_html(result, loaded, template_dir=tmp_path, strict=True)
    template = tmp_path.resolve() / "report.html"
    assert str(error.value) == f"{template}:1: report template: 'resutl' is undefined"
    # Without strict, the typo renders as nothing (the built-in behaviour for users).
    assert "<p></p>" in render_html(result, loaded, template_dir=tmp_path)


def test_a_template_syntax_error_names_the_file_and_line(tmp_path: Path, scored: tuple) -> None:
    result, loaded = scored
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "nodes.html").write_text("<h1>\n{% if %}</h1>")
    with pytest.raises(ReportError) as error:
        render_html(result, loaded, template_dir=tmp_path)
    assert str(error.value) == (
        f"{tmp_path / 'macros' / 'nodes.html'}:2: template syntax error: "
        "Expected an expression, got 'end of statement block'"
    )


def test_templates_are_compiled_once_and_an_edited_one_is_picked_up(tmp_path: Path, scored: tuple) -> None:
    import os

    from riskcheck.report.render import make_environment

    result, loaded = scored
    part = _extending(tmp_path, "{% block summary %}<p>first version</p>{% endblock %}") / "report.html"
    assert "<p>first version</p>" in render_html(result, loaded, template_dir=tmp_path)
    assert make_environment(tmp_path) is make_environment(tmp_path)  # compiled templates are reused
    part.write_text('{% extends "builtin/report.html" %}{% block summary %}<p>second version</p>{% endblock %}')
    stat = part.stat()
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))  # a visibly newer file
    html = render_html(result, loaded, template_dir=tmp_path)
    assert "<p>second version</p>" in html and "first version" not in html


def test_a_missing_template_dir_is_an_error(tmp_path: Path, scored: tuple) -> None:
    result, loaded = scored
    with pytest.raises(ReportError) as error:
        render_html(result, loaded, template_dir=tmp_path / "nope")
    assert str(error.value) == f"{tmp_path / 'nope'}: --template-dir: no such directory"


LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c00"/></svg>'


def test_a_theme_sets_logo_organisation_and_colours(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text(LOGO)
    theme_file = tmp_path / "theme.yaml"
    theme_file.write_text(
        "organisation: Example Bank - AI Governance\nlogo: logo.svg\n"
        "colours:\n  primary: '#004d40'\n  accent: '#aa5500'\n"
    )
    theme = load_theme(theme_file)
    report = render(FIXTURES / "assessment.yaml", theme=theme)
    assert '<img src="data:image/svg+xml;base64,' in report.html
    assert ".cover-band { background: #004d40; }" in report.html
    assert "a { color: #aa5500; }" in report.html
    assert "Example Bank - AI Governance" in flat(report.pages[0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "colour:\n  primary: '#000'\n",
            "{f}:1:1: colour: unknown key; check its spelling (unknown keys are errors, not ignored)",
        ),
        (
            "colours:\n  primary: 'red; background: url(http://x)'\n",
            "{f}:2:12: colours.primary: expected text that should match pattern "
            "'^#(?:[0-9a-fA-F]{{3}}|[0-9a-fA-F]{{6}})$', got 'red; background: url(http://x)'",
        ),
        ("logo: missing.png\n", "{f}:1:7: logo: {d}/missing.png: no such file"),
        ("logo: theme.yaml\n", "{f}:1:7: logo: expected a .png, .jpg or .svg file, got 'theme.yaml'"),
    ],
)
def test_bad_themes_are_reported_with_their_place(tmp_path: Path, text: str, message: str) -> None:
    theme_file = tmp_path / "theme.yaml"
    theme_file.write_text(text)
    with pytest.raises(ReportError) as error:
        load_theme(theme_file)
    assert str(error.value) == message.format(f=theme_file, d=tmp_path)


def test_a_missing_theme_file(tmp_path: Path) -> None:
    with pytest.raises(YamlError) as error:
        load_theme(tmp_path / "theme.yaml")
    assert str(error.value) == f"{tmp_path / 'theme.yaml'}: no such file"
