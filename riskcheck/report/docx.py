"""Write the report as a Word document (python-docx), from the format-neutral document model.

Headings use Word's own Heading 1-3 styles, so the navigation pane shows the outline;
the charts are the PDF's SVG charts (the same Jinja macros) drawn to PNG by CairoSVG;
the result JSON rides along as a custom XML part, so :func:`read_result` can re-read
what a person edited. A Word template (``--docx-template``, ``.docx`` or ``.dotx``)
gives the organisation's styles, page set-up, headers and footers; its body is dropped.

The output is deterministic: the core properties carry the assessment date, and every
zip entry has the same fixed timestamp. Text reaches the XML literally; characters
XML cannot hold (control characters) are dropped, never the text around them.

python-docx and CairoSVG are imported inside the functions: ``pip install riskcheck[docx]``.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from riskcheck.core.errors import ReportError
from riskcheck.core.loader import LoadedAssessment
from riskcheck.core.optional import optional_extra
from riskcheck.report.document import (
    BulletList,
    Document,
    Figure,
    Heading,
    Inline,
    Logo,
    Paragraph,
    Section,
    Table,
    walk,
)
from riskcheck.report.theme import LoadedTheme

#: A Word template larger than this is refused: styles and a logo fit in far less.
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
#: The most one part of a Word package may inflate to, as its zip entry declares it
#: (Python's zipfile never inflates an entry past its declared size).
MAX_PART_BYTES = 64 * 1024 * 1024
#: The most all the parts of a Word package may inflate to together.
MAX_PACKAGE_BYTES = 128 * 1024 * 1024
#: The most a part larger than :data:`RATIO_FROM_BYTES` may inflate per compressed byte.
#: Word's own XML compresses 5 to 30 times; a part of repeated bytes, up to 1,000.
MAX_COMPRESSION_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
#: The most parts a Word package may hold.
MAX_PARTS = 10_000
#: The namespace of the custom XML part that holds the result JSON.
RESULT_NAMESPACE = "urn:riskcheck:result"
#: Every zip entry's timestamp (the zip format's earliest), so the same inputs give the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: The text width the tables and charts are laid out for (A4 or Letter with 2 cm margins, about 16.5 cm).
TEXT_WIDTH_CM = 16.0
MONO_FONT = "Courier New"

_DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_PROPS_TYPE = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
#: Characters XML 1.0 cannot hold: C0 controls but tab, newline and return; surrogates; U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Styles the writer uses; a template without them gets python-docx's own.
_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Title", "Caption", "List Bullet", "Table Grid")


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


# ---------------------------------------------------------------- the template


def read_template(path: Path) -> bytes:
    """The bytes of a Word template (``--docx-template``), checked: a .docx or .dotx, within the size bound."""
    where = f"{path}: --docx-template"
    if path.suffix.lower() not in (".docx", ".dotx"):
        found = repr(path.suffix) if path.suffix else "no suffix"
        raise ReportError(f"{where}: expected a Word document or template (.docx or .dotx), got {found}")
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise ReportError(f"{where}: {size:,} bytes; a Word template may be at most {MAX_TEMPLATE_BYTES:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReportError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{where}: is a directory, expected a .docx or .dotx file") from None
    except OSError as exc:
        raise ReportError(f"{where}: cannot read it: {exc.strerror}") from None
    if len(data) > MAX_TEMPLATE_BYTES:  # it grew after stat
        raise ReportError(f"{where}: a Word template may be at most {MAX_TEMPLATE_BYTES:,} bytes")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_package(archive, where)
            names = set(archive.namelist())
            types = (
                archive.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names else ""
            )
    except zipfile.BadZipFile:
        raise ReportError(f"{where}: not a Word file (expected a .docx or .dotx zip package)") from None
    if "word/document.xml" not in names or not (_DOCUMENT_TYPE in types or _TEMPLATE_TYPE in types):
        raise ReportError(f"{where}: not a Word file (no word/document.xml main document part)")
    return data


def check_package(archive: zipfile.ZipFile, where: str) -> None:
    """Refuse a zip package that would inflate past the bounds, before any part is read.

    A small file can inflate to gigabytes (a zip bomb): every entry's declared size,
    their sum and each large entry's compression ratio are checked first, and since
    Python's zipfile stops at an entry's declared size, reading stays within them.
    """
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise ReportError(f"{where}: {len(infos):,} parts; a Word package may hold at most {MAX_PARTS:,}")
    total = 0
    for info in infos:
        name = info.filename
        if info.file_size > MAX_PART_BYTES:
            raise ReportError(
                f"{where}: part {name!r} inflates to {info.file_size:,} bytes; "
                f"a part of a Word package may inflate to at most {MAX_PART_BYTES:,} bytes"
            )
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ReportError(
                f"{where}: part {name!r} inflates {ratio:,} times ({info.compress_size:,} to {info.file_size:,} "
                f"bytes); a part of a Word package may inflate at most {MAX_COMPRESSION_RATIO} times"
            )
        total += info.file_size
    if total > MAX_PACKAGE_BYTES:
        raise ReportError(
            f"{where}: its parts inflate to {total:,} bytes; "
            f"a Word package may inflate to at most {MAX_PACKAGE_BYTES:,} bytes in all"
        )


def _as_document(template: bytes) -> bytes:
    """A .dotx package relabelled as a .docx one, which is all python-docx needs to open it."""
    source = zipfile.ZipFile(io.BytesIO(template))
    types = source.read("[Content_Types].xml")
    if _TEMPLATE_TYPE.encode() not in types:
        return template
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(_TEMPLATE_TYPE.encode(), _DOCUMENT_TYPE.encode())
            target.writestr(info, data)
    return out.getvalue()


def _open(template: bytes | None) -> Any:
    with optional_extra("docx", "python-docx"):
        import docx
    if template is None:
        return docx.Document()
    try:
        document = docx.Document(io.BytesIO(_as_document(template)))
    except Exception as exc:  # a damaged package: python-docx raises KeyError, ValueError, lxml errors
        raise ReportError(f"--docx-template: not a readable Word file: {type(exc).__name__}: {exc}") from None
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # keep the page set-up, headers and footers
            body.remove(child)
    styles = document.styles
    defaults = None
    for name in _STYLES:
        if not _has_style(styles, name):
            defaults = defaults or docx.Document().styles
            styles.element.append(copy.deepcopy(defaults[name].element))
    return document


def _has_style(styles: Any, name: str) -> bool:
    try:
        styles[name]
    except KeyError:
        return False
    return True


# ---------------------------------------------------------------- charts


def chart_svg(figure: Figure, template_dir: Path | None = None) -> str:
    """The figure's SVG, drawn by the same macros as the PDF's (``macros/charts.html``)."""
    from riskcheck.report.render import make_environment

    macros = make_environment(template_dir).get_template("macros/charts.html").module
    return str(getattr(macros, figure.kind)(figure.chart, figure.alt))


def chart_png(figure: Figure, template_dir: Path | None = None) -> bytes:
    with optional_extra("docx", "cairosvg"):
        import cairosvg  # type: ignore[import-untyped]
    svg = chart_svg(figure, template_dir)
    width = float(figure.chart.width)
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=int(width * 2.5)))


# ---------------------------------------------------------------- writing


def render_docx(
    result: Mapping[str, Any],
    loaded: LoadedAssessment,
    *,
    template_dir: Path | None = None,
    theme: LoadedTheme | None = None,
    docx_template: bytes | None = None,
    extra: Mapping[str, Any] | None = None,
    lang: str = "en",
) -> bytes:
    """The report as a Word document with the result JSON inside; its own strings in ``lang``."""
    from riskcheck.core.result import dumps
    from riskcheck.report.render import report_document

    _data, document = report_document(result, loaded, theme=theme, extra=extra, lang=lang)
    return write_docx(
        document,
        result_json=dumps(result, indent=2) + "\n",
        template=docx_template,
        draw=lambda figure: chart_png(figure, template_dir),
        primary=theme.colours.primary if theme is not None else None,
    )


def write_docx(
    document: Document,
    *,
    result_json: str,
    template: bytes | None = None,
    draw: Callable[[Figure], bytes] | None = None,
    primary: str | None = None,
) -> bytes:
    """``document`` as .docx bytes.

    ``draw`` turns a figure into PNG (without it, figures are captions only); ``primary`` is
    the theme's heading colour (``#rrggbb``).
    """
    word = _open(template)
    if template is None and primary:  # a Word template's own styles win over the theme
        from docx.shared import RGBColor

        for level in (1, 2, 3):
            word.styles[f"Heading {level}"].font.color.rgb = RGBColor.from_string(primary.lstrip("#").upper())
    _core_properties(word, document)
    writer = _Writer(word)
    for section in document.sections:
        writer.section(section, draw)
    _attach_result(word, result_json, document.lang)
    out = io.BytesIO()
    word.save(out)
    return _fixed_zip(out.getvalue())


def _core_properties(word: Any, document: Document) -> None:
    props = word.core_properties
    props.title = clean(document.title)
    props.author = clean(document.author)
    props.subject = clean(document.subject)
    props.keywords = clean(document.keywords)
    props.last_modified_by = "riskcheck"
    props.comments = ""
    props.revision = 1
    props.language = document.lang
    if document.created is not None:
        moment = document.created.astimezone(dt.UTC).replace(tzinfo=None)
        props.created = moment
        props.modified = moment
        props.last_printed = moment
    else:  # a draft without an assessment date carries no date, rather than a made-up one
        element = props._element
        for child in list(element):
            if child.tag.rsplit("}", 1)[-1] in ("created", "modified", "lastPrinted"):
                element.remove(child)


class _Writer:
    def __init__(self, word: Any) -> None:
        from docx.shared import Cm

        self.word = word
        self.width = Cm(TEXT_WIDTH_CM)
        self.pending_break = False

    def section(self, section: Section, draw: Callable[[Figure], bytes] | None) -> None:
        """A part of the report; one that starts a page does so at its first heading."""
        self.pending_break = section.new_page
        for block in walk(section.blocks):
            self.block(block, draw)

    def block(self, block: object, draw: Callable[[Figure], bytes] | None) -> None:
        if isinstance(block, Heading):
            style = "Title" if block.level == 0 else f"Heading {min(block.level, 3)}"
            paragraph = self.word.add_paragraph(style=style)
            if block.runs:
                self.runs(paragraph, block.runs)
            else:
                paragraph.add_run(clean(block.text))
            if self.pending_break:
                paragraph.paragraph_format.page_break_before = True
                self.pending_break = False
        elif isinstance(block, Paragraph):
            paragraph = self.word.add_paragraph()
            self.runs(paragraph, block.runs)
            if block.style in ("note", "muted", "footnote", "kicker", "confidentiality"):
                for r in paragraph.runs:
                    r.font.size = _pt(8.5)
            if block.style in ("callout", "blocking", "draft-mark", "confidentiality"):
                for r in paragraph.runs:
                    r.bold = True
        elif isinstance(block, BulletList):
            for item in block.items:
                self.runs(self.word.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block, draw)
        elif isinstance(block, Logo):
            self.logo(block)
        else:
            raise ReportError(f"the Word report has no way to write a {type(block).__name__} node")

    def runs(self, paragraph: Any, runs: Inline) -> None:
        for piece in runs:
            text = clean(piece.text)
            if not text:
                continue
            if piece.href:
                self.hyperlink(paragraph, text, piece.href)
                continue
            r = paragraph.add_run(text)
            if piece.bold:
                r.bold = True
            if piece.italic:
                r.italic = True
            if piece.mono:
                r.font.name = MONO_FONT

    def hyperlink(self, paragraph: Any, text: str, href: str) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        rid = self.word.part.relate_to(clean(href), RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        paragraph._p.append(link)
        r = OxmlElement("w:r")
        link.append(r)
        props = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), "1F4E79")
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.extend([colour, underline])
        r.append(props)
        from docx.text.run import Run

        Run(r, paragraph).text = text

    def table(self, block: Table) -> None:
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        columns = len(block.widths)
        table = self.word.add_table(rows=0, cols=columns)
        table.style = self.word.styles["Table Grid"]
        table.autofit = False
        widths = [int(self.width * w / 100) for w in block.widths]
        rows = list(block.rows)
        if block.header:
            row = table.add_row()
            header = OxmlElement("w:tblHeader")  # repeat the header row on each page
            row._tr.get_or_add_trPr().append(header)
            for index, title in enumerate(block.header):
                paragraph = row.cells[index].paragraphs[0]
                paragraph.add_run(clean(title)).bold = True
        for index, cells in enumerate([*rows, *((block.footer,) if block.footer else ())]):
            row = table.add_row()
            footer = block.footer is not None and index == len(rows)
            for column, content in enumerate(cells[:columns]):
                target = row.cells[column]
                for number, line in enumerate(content.lines or ((),)):
                    paragraph = target.paragraphs[0] if number == 0 else target.add_paragraph()
                    self.runs(paragraph, line)
                    if (block.key_value and column == 0) or footer:
                        for r in paragraph.runs:
                            r.bold = True
        for row in table.rows:
            for column, width in enumerate(widths):
                row.cells[column].width = width
        grid = table._tbl.tblGrid
        for column, col in enumerate(grid.findall(qn("w:gridCol"))):
            col.set(qn("w:w"), str(int(widths[column] / 635)))  # EMU to twentieths of a point
        # The whole text width, laid out as given (LibreOffice otherwise shrinks a table to its content).
        properties = table._tbl.tblPr
        for old in properties.findall(qn("w:tblW")) + properties.findall(qn("w:tblLayout")):
            properties.remove(old)
        total = OxmlElement("w:tblW")
        total.set(qn("w:w"), str(int(sum(widths) / 635)))
        total.set(qn("w:type"), "dxa")
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        properties.append(total)
        properties.append(layout)
        self.word.add_paragraph()

    def logo(self, block: Logo) -> None:
        """The theme's logo, 1.5 cm high; an SVG logo is drawn to PNG first."""
        import base64

        from docx.shared import Cm

        header, _, payload = block.data_uri.partition(",")
        data = base64.b64decode(payload)
        if header.startswith("data:image/svg"):
            import cairosvg

            data = bytes(cairosvg.svg2png(bytestring=data, output_height=240))
        self.word.add_picture(io.BytesIO(data), height=Cm(1.5))

    def figure(self, block: Figure, draw: Callable[[Figure], bytes] | None) -> None:
        if draw is not None:
            png = draw(block)
            self.word.add_picture(io.BytesIO(png), width=self.width)
            picture = self.word.paragraphs[-1]
            from docx.oxml.ns import qn

            for properties in picture._p.iter(qn("wp:docPr")):
                properties.set("descr", clean(block.alt))
                properties.set("title", clean(block.caption.split(".", 1)[0]))
        caption = self.word.add_paragraph(style="Caption")
        caption.add_run(clean(block.caption))


def _pt(size: float) -> Any:
    from docx.shared import Pt

    return Pt(size)


# ---------------------------------------------------------------- the result inside


def _attach_result(word: Any, result_json: str, lang: str = "en") -> None:
    """The result JSON as a custom XML part (``customXml/itemN.xml``) with its properties part."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree  # type: ignore[import-untyped]

    package = word.part.package
    taken = {str(part.partname) for part in package.iter_parts()}
    number = 1
    while f"/customXml/item{number}.xml" in taken:
        number += 1
    root = etree.Element(f"{{{RESULT_NAMESPACE}}}result", nsmap={None: RESULT_NAMESPACE})
    root.set("format", "application/json")
    root.set("lang", lang)  # the language of the document's own strings
    root.text = result_json
    item = Part(
        PackURI(f"/customXml/item{number}.xml"),
        "application/xml",
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True),
        package,
    )
    # A stable identifier: the same result, the same item.
    item_id = "{" + str(uuid.UUID(hashlib.sha256(result_json.encode("utf-8")).hexdigest()[:32])).upper() + "}"
    ds = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
    props_root = etree.Element(f"{{{ds}}}datastoreItem", nsmap={"ds": ds})
    props_root.set(f"{{{ds}}}itemID", item_id)
    refs = etree.SubElement(props_root, f"{{{ds}}}schemaRefs")
    etree.SubElement(refs, f"{{{ds}}}schemaRef").set(f"{{{ds}}}uri", RESULT_NAMESPACE)
    props = Part(
        PackURI(f"/customXml/itemProps{number}.xml"),
        _PROPS_TYPE,
        etree.tostring(props_root, xml_declaration=True, encoding="UTF-8", standalone=False),
        package,
    )
    item.relate_to(props, RELATIONSHIP_TYPE.CUSTOM_XML_PROPS)
    word.part.relate_to(item, RELATIONSHIP_TYPE.CUSTOM_XML)


def read_result(data: bytes, name: str = "report.docx") -> dict[str, Any]:
    """The result JSON a riskcheck Word document carries, as a dict."""
    import json

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_package(archive, name)
            for member in sorted(archive.namelist()):
                if not re.fullmatch(r"customXml/item\d+\.xml", member):
                    continue
                root = etree.fromstring(archive.read(member), parser)
                if root.tag == f"{{{RESULT_NAMESPACE}}}result":
                    loaded = json.loads(root.text or "")
                    if isinstance(loaded, dict):
                        return loaded
    except (zipfile.BadZipFile, etree.XMLSyntaxError, json.JSONDecodeError) as exc:
        raise ReportError(f"{name}: cannot read the riskcheck result inside: {exc}") from None
    raise ReportError(f"{name}: carries no riskcheck result (no customXml part in {RESULT_NAMESPACE})")


def _fixed_zip(data: bytes) -> bytes:
    """``data`` re-zipped with one fixed timestamp and the same order, so equal inputs give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
