"""A theme's SVG logo: shapes, text, gradients and clip paths drawn once, nothing that draws without bound.

A 1.5 KB logo of nested ``<use>`` (ten per level) took 22 s to draw at five levels and
six minutes at six; ``<pattern>``, ``<marker>``, ``<mask>`` and nested clip paths nest
the same way, and ``<image>``, ``@import`` and entities reach outside the logo. A
``<use>`` of one level (of a symbol, a group or a shape that holds no ``<use>`` and no
clip path) is what editors write, and is allowed within the drawing bound. Each is
refused when the theme is read, naming the theme file, the logo's line and what a logo
may hold; a logo an editor writes (Inkscape's, with its own namespaces) still renders,
in the PDF (WeasyPrint) and the Word report (CairoSVG and python-docx).
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from riskcheck.cli.main import main
from riskcheck.core.errors import ReportError
from riskcheck.report.theme import MAX_SVG_ASPECT, MAX_SVG_DEPTH, MAX_SVG_DRAWN, MAX_SVG_ELEMENTS, load_theme
from tests.report.conftest import FIXTURES

SVG = 'xmlns="http://www.w3.org/2000/svg"'
ALLOWED = (
    "an SVG logo may hold only <svg>, <g>, <defs>, <title>, <desc>, <metadata>, <style>, <path>, <rect>, "
    "<circle>, <ellipse>, <line>, <polyline>, <polygon>, <text>, <tspan>, <linearGradient>, <radialGradient>, "
    "<stop>, <clipPath>, <symbol>, <use>"
)
ONE_LEVEL = "a <use> may draw only elements that hold no <use> and no clip path"


def nested_use(levels: int) -> str:
    """The reported logo: each level uses the one below ten times."""
    parts = [f'<svg {SVG} width="100" height="100"><defs><g id="l0"><rect width="1" height="1"/></g>']
    parts += [
        f'<g id="l{i}">' + "".join(f'<use href="#l{i - 1}" x="{j}"/>' for j in range(10)) + "</g>"
        for i in range(1, levels + 1)
    ]
    return "".join(parts) + f'</defs><use href="#l{levels}"/></svg>'


def nested_clips(levels: int) -> str:
    """Each clip path's ten rectangles clipped by the clip path below it."""
    parts = [f'<svg {SVG} width="100" height="100"><defs><clipPath id="c0"><rect width="1" height="1"/></clipPath>']
    parts += [
        f'<clipPath id="c{i}">' + f'<rect width="1" height="1" clip-path="url(#c{i - 1})"/>' * 10 + "</clipPath>"
        for i in range(1, levels + 1)
    ]
    return "".join(parts) + f'</defs><rect width="9" height="9" clip-path="url(#c{levels})"/></svg>'


def wide_clip(rectangles: int, uses: int) -> str:
    clip = '<clipPath id="c">' + '<rect width="1" height="1"/>' * rectangles + "</clipPath>"
    return f'<svg {SVG} width="100" height="100"><defs>{clip}</defs>' + '<rect clip-path="url(#c)"/>' * uses + "</svg>"


def gradient_chain(length: int) -> str:
    """Each gradient inherits from the one before: renderers follow the chain one call deeper each."""
    chain = '<linearGradient id="g0"><stop offset="0" stop-color="#000"/></linearGradient>'
    chain += "".join(f'<linearGradient id="g{i}" href="#g{i - 1}"/>' for i in range(1, length))
    return f'<svg {SVG}><defs>{chain}</defs><rect width="9" height="9" fill="url(#g{length - 1})"/></svg>'


def logo_error(tmp_path: Path, svg: str) -> str:
    (tmp_path / "logo.svg").write_text(svg, encoding="utf-8")
    theme = tmp_path / "theme.yaml"
    theme.write_text("logo: logo.svg\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ReportError) as caught:
        load_theme(theme)
    assert time.monotonic() - started < 5
    prefix = f"{theme}:1:7: logo: {tmp_path / 'logo.svg'}"
    message = str(caught.value)
    assert message.startswith(prefix)
    return message[len(prefix) :]


def test_the_reported_logo_of_nested_use_is_refused_by_report_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "logo.svg").write_text(nested_use(6), encoding="utf-8")
    theme = tmp_path / "theme.yaml"
    theme.write_text("logo: logo.svg\n", encoding="utf-8")
    pdf = tmp_path / "r.pdf"
    started = time.monotonic()
    code = main(["report", str(FIXTURES / "assessment.yaml"), "--theme", str(theme), "-o", str(pdf)])
    assert time.monotonic() - started < 10
    assert code == 2
    assert capsys.readouterr().err == (
        f"{theme}:1:7: logo: {tmp_path / 'logo.svg'}:1: <use href='#l1'>: {ONE_LEVEL}\n1 error(s)\n"
    )
    assert not pdf.exists()


@pytest.mark.parametrize(
    ("svg", "says"),
    [
        (
            f'<svg {SVG}><defs><g id="a"><rect/></g><g id="b"><use href="#a"/></g></defs>\n<use href="#b"/></svg>',
            f":2: <use href='#b'>: {ONE_LEVEL}",
        ),
        (
            f'<svg {SVG}><defs><clipPath id="c"><rect/></clipPath><g id="a"><rect clip-path="url(#c)"/></g></defs>'
            '<use href="#a"/></svg>',
            f":1: <use href='#a'>: {ONE_LEVEL}",
        ),
        (
            f'<svg {SVG}><g id="a"><use href="#a"/></g></svg>',
            ":1: <use href='#a'>: a <use> may not draw what holds it, nor be part of a clip path",
        ),
        (
            f'<svg {SVG}><defs><rect id="r"/><clipPath id="c"><use href="#r"/></clipPath></defs>'
            '<rect clip-path="url(#c)"/></svg>',
            ":1: <use href='#r'>: a <use> may not draw what holds it, nor be part of a clip path",
        ),
        (
            f'<svg {SVG}><defs><linearGradient id="g"/></defs><use href="#g"/></svg>',
            ":1: <use href='#g'>: a <use> may draw only a shape, text, a group or a symbol of the logo",
        ),
        (
            f'<svg {SVG}><use href="#nowhere"/></svg>',
            ":1: <use href='#nowhere'>: a <use> may draw only a shape, text, a group or a symbol of the logo",
        ),
        (
            f'<svg {SVG}><use href="other.svg#a"/></svg>',
            ":1: <use href='other.svg#a'>: a link is not allowed in an SVG logo, except from one gradient to "
            'another in it and from a <use> to an element in it (href="#id")',
        ),
        (
            f'<svg {SVG}><defs><g id="g">' + "<rect/>" * 1_000 + "</g></defs>" + '<use href="#g"/>' * 30 + "</svg>",
            f": drawing it takes {3 + 1_000 + 30 + 30 * 1_001:,} elements with its clip paths and uses; "
            f"an SVG logo may take at most {MAX_SVG_DRAWN:,}",
        ),
        (
            f'<svg {SVG}><defs><pattern id="p"><rect/></pattern></defs><rect fill="url(#p)"/></svg>',
            f":1: <pattern> is not allowed: {ALLOWED}",
        ),
        (f'<svg {SVG}>\n<image href="file:///etc/passwd"/></svg>', f":2: <image> is not allowed: {ALLOWED}"),
        (f"<svg {SVG}><script>alert(1)</script></svg>", f":1: <script> is not allowed: {ALLOWED}"),
        (
            f'<svg {SVG}><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>',
            f":1: <foreignObject> is not allowed: {ALLOWED}",
        ),
        (
            f'<svg {SVG}><defs><marker id="m"><rect/></marker></defs></svg>',
            f":1: <marker> is not allowed: {ALLOWED}",
        ),
        (
            f'<svg {SVG} xmlns:x="urn:x"><defs><x:pattern id="p"><rect/></x:pattern></defs>'
            '<rect fill="url(#p)"/></svg>',
            f":1: <pattern> in namespace urn:x is not allowed: {ALLOWED}",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
            f"<svg {SVG}><text>&b;</text></svg>",
            ":2: a DOCTYPE is not allowed in an SVG logo (its entities could expand without bound or read files)",
        ),
        (
            f'<?xml-stylesheet href="http://example.com/x.css"?><svg {SVG}/>',
            ":1: the processing instruction <?xml-stylesheet?> is not allowed in an SVG logo",
        ),
        (
            f"<svg {SVG}><style>@import url(http://example.com/x.css);</style></svg>",
            ":1: <style>: an at-rule (@import, @font-face) is not allowed in an SVG logo's styles",
        ),
        (
            f"<svg {SVG}><style>rect {{ clip-path: url(#c) }}</style></svg>",
            ":1: <style>: url() is allowed in an SVG logo's styles only as fill: url(#id) or stroke: url(#id)",
        ),
        (
            f'<svg {SVG}><rect style="fill: url(http://example.com/#g)"/></svg>',
            ":1: <rect style>: url() is allowed in an SVG logo's styles only as fill: url(#id) or stroke: url(#id)",
        ),
        (
            f'<svg {SVG}><rect fill="url(file:///etc/passwd#g)"/></svg>',
            ":1: <rect fill='url(file:///etc/passwd#g)'>: only references inside the logo (url(#id)) are allowed",
        ),
        (
            f'<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink"><text xlink:href="http://example.com/">x</text>'
            "</svg>",
            ":1: <text href='http://example.com/'>: a link is not allowed in an SVG logo, "
            'except from one gradient to another in it and from a <use> to an element in it (href="#id")',
        ),
        (
            nested_clips(6),
            ":1: <rect clip-path>: a clip path, or an element inside one, may not be clipped again in an SVG logo",
        ),
        (
            wide_clip(1_000, 100),
            f": drawing it takes {3 + 1_000 + 100 + 100 * 1_001:,} elements with its clip paths and uses; "
            f"an SVG logo may take at most {MAX_SVG_DRAWN:,}",
        ),
        (
            f"<svg {SVG}>" + "<g/>" * MAX_SVG_ELEMENTS + "</svg>",
            f":1: more than {MAX_SVG_ELEMENTS:,} elements; an SVG logo may hold at most {MAX_SVG_ELEMENTS:,}",
        ),
        (
            f"<svg {SVG}>" + "<g>" * 100 + "</g>" * 100 + "</svg>",
            f":1: elements nested more than {MAX_SVG_DEPTH} deep; an SVG logo may nest at most {MAX_SVG_DEPTH}",
        ),
        (
            gradient_chain(3_000),
            ":1: <linearGradient href='#g1'>: a gradient may link only to a gradient in the logo that links to none",
        ),
        (
            f'<svg {SVG} width="100000" height="1"><rect width="100000" height="1"/></svg>',
            f": the logo is 100000 by 1; a logo may be at most {MAX_SVG_ASPECT} times wider than high "
            "or higher than wide",
        ),
        (f"<svg {SVG}><rect></svg>", ":1: not a well-formed SVG file: mismatched tag"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"/>', ": not an SVG file (its root element is not <svg>)"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else "",
)
def test_a_logo_that_draws_without_bound_or_reaches_outside_itself_is_refused(
    tmp_path: Path, svg: str, says: str
) -> None:
    assert logo_error(tmp_path, svg).startswith(says)


EDITOR_LOGO = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:cc="http://creativecommons.org/ns#"
     width="120mm" height="40mm" viewBox="0 0 120 40" inkscape:version="1.3">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff"><inkscape:page x="0" y="0" width="120" height="40"/>
  </sodipodi:namedview>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:title>Example Corp</dc:title></cc:Work></rdf:RDF></metadata>
  <title>Example Corp</title>
  <defs>
    <linearGradient id="stops"><stop offset="0" stop-color="#1f3550"/><stop offset="1" stop-color="#8a6d1e"/>
    </linearGradient>
    <linearGradient id="band" xlink:href="#stops" x1="0" x2="120" gradientUnits="userSpaceOnUse"/>
    <clipPath id="round"><circle cx="20" cy="20" r="18"/></clipPath>
    <style>.mark { fill: url(#band); stroke: #000; stroke-width: 0.5 }</style>
  </defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer">
    <rect class="mark" width="40" height="40" clip-path="url(#round)"/>
    <text x="46" y="26" style="font-size: 12px; fill: #1f3550">Example Corp</text>
  </g>
</svg>
"""


SYMBOL_LOGO = f"""<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40" viewBox="0 0 120 40">
  <defs>
    <symbol id="leaf" viewBox="0 0 10 10"><path d="M5 0 L10 10 L0 10 Z" fill="#1f3550"/></symbol>
  </defs>
  <use href="#leaf" x="0" y="0" width="20" height="20"/>
  <use xlink:href="#leaf" x="20" y="10" width="20" height="20"/>
  <text x="46" y="26" font-size="12">Symbol Corp</text>
</svg>
"""


@pytest.mark.parametrize("logo", [EDITOR_LOGO, SYMBOL_LOGO], ids=["inkscape", "symbols-used-once"])
def test_a_logo_an_editor_writes_renders_in_the_pdf_and_the_word_report(tmp_path: Path, logo: str) -> None:
    """Inkscape's own namespaces, gradients and a clip path; or a <symbol> drawn by <use>s, as exporters
    write them (one level, so it draws in bounded time)."""
    (tmp_path / "logo.svg").write_text(logo, encoding="utf-8")
    theme = tmp_path / "theme.yaml"
    theme.write_text("logo: logo.svg\norganisation: Example Corp\n", encoding="utf-8")
    assert load_theme(theme).logo_data_uri is not None
    assessment = str(FIXTURES / "assessment.yaml")
    pdf, word = tmp_path / "r.pdf", tmp_path / "r.docx"
    assert main(["report", assessment, "--theme", str(theme), "-o", str(pdf)]) == 0
    first_page = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0]
    assert "Example Corp" in first_page.extract_text()
    assert "/XObject" in first_page["/Resources"]  # the logo, drawn as a form
    assert main(["report", assessment, "--theme", str(theme), "-o", str(word)]) == 0
    assert len(docx.Document(str(word)).inline_shapes) >= 1
    with zipfile.ZipFile(word) as archive:
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in archive.namelist())
