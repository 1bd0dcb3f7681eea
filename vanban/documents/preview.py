"""Previews of stored files that a browser cannot show itself (issue 3: "DOCX shown as
text"), and the text near the top of a file that the secrecy-stamp check reads.

* DOCX (python-docx), ODT (its content.xml, read with lxml) and XLSX (openpyxl, first
  sheet) become a `TextPreview`: blocks of headings, paragraphs (runs with bold and
  italic) and tables of plain text. Templates render it with autoescape and the API
  sends it as JSON: no HTML from the file ever reaches a browser, so nothing needs
  sanitising.
* TIFF scans become a PNG of the first page (Pillow), scaled down for the screen.
* PDF, PNG and JPEG need no preview: browsers show the original.

The originals are only read, never rewritten. Every reader is bounded, because the file
comes from outside: the ZIP parts are checked by their declared sizes before anything is
decompressed (Python's zipfile never inflates a member past its declared size), media
parts are not decompressed at all, and extraction stops at a number of characters,
blocks, rows and seconds (`truncated` then says so). Text is Unicode NFC, and text typed
in a legacy Vietnamese encoding (TCVN3, VNI, VIQR) is shown converted, as everywhere else.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from vanban.documents.errors import DocumentError
from vanban.documents.models import StoredFile
from vanban.documents.text import detect
from vanban.documents.text.detection import _BEYOND_CP1252, LEGACY_DECODERS, Source
from vanban.documents.text.letters import nfc

Kind = StoredFile.Kind
TEXT_KINDS = frozenset({Kind.DOCX, Kind.ODT, Kind.XLSX})
IMAGE_KINDS = frozenset({Kind.TIFF})
PREVIEW_KINDS = TEXT_KINDS | IMAGE_KINDS

# Limits. A real ministry document is far below each of them; a crafted one stops here.
MAX_ZIP_ENTRIES = 5_000
MAX_XML_BYTES = 48 * 1024 * 1024  # declared uncompressed size of the XML parts read
MAX_CHARS = 300_000
MAX_BLOCKS = 5_000
MAX_TABLE_ROWS = 500
MAX_TABLE_COLUMNS = 40
SHEET_ROWS = 200
SHEET_COLUMNS = 30
SECONDS = 8.0
MAX_IMAGE_PIXELS = 80_000_000  # a 600 dpi A3 scan is 70 Mpx
IMAGE_SIDE = 2000  # pixels on the long side of the PNG: about 170 dpi for A4


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "bold": self.bold, "italic": self.italic}


@dataclass
class Block:
    """A heading (level 1–9), a paragraph, or a table of plain-text cells."""

    type: Literal["heading", "paragraph", "table"]
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    align: str = ""  # "", "center", "right", "justify"
    rows: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.type == "table":
            return "\n".join("\t".join(row) for row in self.rows)
        return "".join(run.text for run in self.runs)

    def lines(self) -> Iterator[str]:
        """Non-empty lines in reading order; a table cell by cell, row by row."""
        texts = [cell for row in self.rows for cell in row] if self.type == "table" else [self.text]
        for text in texts:
            for line in text.splitlines():
                if line.strip():
                    yield line.strip()

    def as_dict(self) -> dict[str, Any]:
        if self.type == "table":
            return {"type": "table", "rows": self.rows}
        body: dict[str, Any] = {"type": self.type, "text": self.text, "runs": [r.as_dict() for r in self.runs]}
        if self.type == "heading":
            body["level"] = self.level
        if self.align:
            body["align"] = self.align
        return body


@dataclass
class TextPreview:
    kind: str
    blocks: list[Block] = field(default_factory=list)
    header: list[Block] = field(default_factory=list)  # page header text (DOCX, ODT)
    truncated: bool = False
    sheet: str = ""  # XLSX: the sheet shown
    sheet_count: int = 0
    converted_from: list[str] = field(default_factory=list)  # legacy encodings found and converted

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in [*self.header, *self.blocks])

    def lines(self) -> Iterator[str]:
        for block in [*self.header, *self.blocks]:
            yield from block.lines()

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind,
            "truncated": self.truncated,
            "converted_from": self.converted_from,
            "header": [b.as_dict() for b in self.header],
            "blocks": [b.as_dict() for b in self.blocks],
            "text": self.text,
        }
        if self.kind == Kind.XLSX:
            body.update(sheet=self.sheet, sheet_count=self.sheet_count)
        return body


@dataclass(frozen=True)
class ImagePreview:
    png: bytes
    width: int
    height: int
    page_count: int


# --- Errors ---------------------------------------------------------------------------


def _unsupported(kind: str) -> DocumentError:
    if kind in (Kind.PDF, Kind.PNG, Kind.JPEG):
        message = "Trình duyệt hiển thị trực tiếp tệp này, không cần bản xem trước."
    else:
        message = f"Chưa có bản xem trước cho tệp {Kind(kind).label}; hãy tải tệp về để xem."
    return DocumentError("preview_unsupported", message, "file")


def _too_large() -> DocumentError:
    return DocumentError(
        "preview_too_large", "Tệp quá lớn hoặc quá phức tạp để xem trước; hãy tải tệp về để xem.", "file"
    )


def _failed() -> DocumentError:
    return DocumentError("preview_failed", "Không đọc được nội dung tệp để xem trước; hãy tải tệp về để xem.", "file")


# --- Budget and text ---------------------------------------------------------------------


class _Budget:
    """Characters, blocks and time left; `exhausted` turns true once one runs out."""

    def __init__(self, chars: int, blocks: int, seconds: float) -> None:
        self.chars = chars
        self.blocks = blocks
        self.deadline = time.monotonic() + seconds
        self.exhausted = False

    def block(self) -> bool:
        if self.exhausted or self.blocks <= 0 or time.monotonic() > self.deadline:
            self.exhausted = True
            return False
        self.blocks -= 1
        return True

    def cut(self, text: str) -> str:
        if len(text) >= self.chars:
            text, self.chars, self.exhausted = text[: self.chars], 0, True
        else:
            self.chars -= len(text)
        return text


class _Recoder:
    """Turns extracted text into NFC Unicode. A document typed in TCVN3 or VNI is so as a
    whole (its fonts say so), so that encoding, detected over all the text that could be
    in it, also converts short lines ("MËT", "Sè: 12") too short to be told apart alone.
    Text with characters beyond Windows-1252 is Unicode already and only normalised;
    VIQR, being plain ASCII, is decided line by line."""

    def __init__(self, texts: list[str]) -> None:
        sample = " ".join(t for t in texts if t.strip() and not _BEYOND_CP1252.search(t))[:200_000]
        source = detect(sample) if sample else "unicode"
        self.document_source: Source | None = source if source in ("tcvn3", "vni") else None
        self.found: set[str] = set()

    def source_of(self, text: str) -> Source:
        if _BEYOND_CP1252.search(text) or not text.strip():
            return "unicode"
        if self.document_source is not None:
            return self.document_source
        return detect(text)

    def apply(self, text: str, source: Source) -> str:
        if source == "unicode":
            return nfc(text)
        converted = LEGACY_DECODERS[source](text)
        if converted != text:
            self.found.add(source)
        return nfc(converted)

    def text(self, text: str) -> str:
        return self.apply(text, self.source_of(text))

    def runs(self, runs: list[Run]) -> list[Run]:
        """One decision for the paragraph, applied to each run: runs split words."""
        source = self.source_of("".join(r.text for r in runs))
        return [Run(self.apply(r.text, source), r.bold, r.italic) for r in runs]


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return merged


def _finish(preview: TextPreview, budget: _Budget) -> TextPreview:
    """Convert legacy encodings and NFC-normalise, then apply the character budget."""
    raw: list[str] = []
    for block in [*preview.header, *preview.blocks]:
        if block.type == "table":
            raw.extend(cell for row in block.rows for cell in row)
        else:
            raw.append(block.text)
    recoder = _Recoder(raw)
    for part in (preview.header, preview.blocks):
        kept = []
        for block in part:
            if budget.chars <= 0:
                budget.exhausted = True
                break
            if block.type == "table":
                block.rows = [[budget.cut(recoder.text(cell)) for cell in row] for row in block.rows]
            else:
                block.runs = _merge([Run(budget.cut(r.text), r.bold, r.italic) for r in recoder.runs(block.runs)])
            kept.append(block)
        part[:] = kept
    preview.converted_from = sorted(recoder.found)
    preview.truncated = preview.truncated or budget.exhausted
    return preview


# --- ZIP containers --------------------------------------------------------------------


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels")) or name == "mimetype"


def _checked_zip(source: Path | IO[bytes]) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _failed() from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos if _is_xml(i.filename)) > MAX_XML_BYTES:
        archive.close()
        raise _too_large()
    return archive


def _slim_copy(source: Path | IO[bytes]) -> io.BytesIO:
    """The package with its XML parts only: media parts keep their names but lose their
    bytes, so python-docx and openpyxl, which read every part they know, never inflate
    the pictures of a scan-heavy document (nor a disguised bomb)."""
    out = io.BytesIO()
    with _checked_zip(source) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as slim:
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                data = archive.read(info) if _is_xml(info.filename) else b""
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                raise _failed() from exc
            slim.writestr(info.filename, data)
    out.seek(0)
    return out


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _failed() from exc


# --- DOCX ---------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DOCX_ALIGN = {
    "CENTER": "center",
    "RIGHT": "right",
    "JUSTIFY": "justify",
    "DISTRIBUTE": "justify",
    "JUSTIFY_MED": "justify",
    "JUSTIFY_HI": "justify",
    "JUSTIFY_LOW": "justify",
}
_HEADING = re.compile(r"(?:heading|title)\s*(\d?)$", re.IGNORECASE)


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _docx_runs(paragraph: Any) -> list[Run]:
    from docx.text.hyperlink import Hyperlink

    runs: list[Run] = []
    for item in paragraph.iter_inner_content():
        for run in item.runs if isinstance(item, Hyperlink) else [item]:
            runs.append(Run(run.text, bool(run.bold), bool(run.italic)))
    return runs


def _docx_paragraph(paragraph: Any, style_names: dict[str, str]) -> Block:
    block = Block("paragraph", runs=_docx_runs(paragraph))
    # The style id straight from the XML: python-docx's paragraph.style scans every style
    # per call, which made a long document take seconds.
    match = _HEADING.match(style_names.get(paragraph._p.style or "", ""))
    if match:
        block.type, block.level = "heading", int(match.group(1) or 1)
    try:
        alignment = paragraph.alignment
    except ValueError:  # an alignment value python-docx does not know
        alignment = None
    block.align = _DOCX_ALIGN.get(alignment.name, "") if alignment is not None else ""
    return block


def _text_boxes(element: Any, part: Any) -> Iterator[Any]:
    """Paragraphs of text boxes anchored in `element`, once each: Word writes a text box
    twice, as DrawingML and as a VML fallback. Stamps ("MẬT", "HỎA TỐC") are often boxes."""
    from docx.text.paragraph import Paragraph

    for box in element.iter(_w("txbxContent")):
        if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
            continue
        for p in box.iterchildren(_w("p")):
            yield Paragraph(p, part)


def _docx_table(table: Any, budget: _Budget) -> Block:
    from docx.table import _Cell

    rows: list[list[str]] = []
    for tr in table._tbl.tr_lst[:MAX_TABLE_ROWS]:
        if not budget.block():
            break
        cells = []
        for tc in tr.tc_lst[:MAX_TABLE_COLUMNS]:  # a merged cell once, not once per grid column
            cell = _Cell(tc, table)
            cells.append("\n".join(p.text for p in cell.paragraphs))
        rows.append(cells)
    if len(table._tbl.tr_lst) > MAX_TABLE_ROWS:
        budget.exhausted = True
    return Block("table", rows=rows)


def _docx(source: Path | IO[bytes], budget: _Budget) -> TextPreview:
    import docx
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(_slim_copy(source))
    except DocumentError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on damaged input
        raise _failed() from exc
    try:
        style_names = {style.style_id: str(style.name or "") for style in document.styles}
    except Exception:  # a damaged styles part only costs the headings
        style_names = {}
    preview = TextPreview(kind=Kind.DOCX)
    for part in document.part.package.iter_parts():
        if part.content_type != CT.WML_HEADER:
            continue
        for p in part.element.iter(_w("p")):
            if any(a.tag == _MC_FALLBACK for a in p.iterancestors()) or not budget.block():
                continue
            block = Block("paragraph", runs=_docx_runs(Paragraph(p, part)))
            # The first-page and the default header often say the same: once is enough.
            if block.text.strip() and block.text not in {b.text for b in preview.header}:
                preview.header.append(block)
    for item in document.iter_inner_content():
        if not budget.block():
            break
        if isinstance(item, Table):
            preview.blocks.append(_docx_table(item, budget))
            preview.blocks.extend(Block("paragraph", runs=_docx_runs(p)) for p in _text_boxes(item._tbl, item.part))
        elif isinstance(item, Paragraph):
            preview.blocks.append(_docx_paragraph(item, style_names))
            preview.blocks.extend(Block("paragraph", runs=_docx_runs(p)) for p in _text_boxes(item._p, item.part))
    return _finish(preview, budget)


# --- ODT -------------------------------------------------------------------------------------

_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}
_ODT_ALIGN = {"center": "center", "end": "right", "right": "right", "justify": "justify"}


def _q(prefix: str, tag: str) -> str:
    return f"{{{_ODF[prefix]}}}{tag}"


def _xml(data: bytes) -> Any:
    from lxml import etree

    # No entities, no DTD, no network: a document cannot make the parser fetch or expand anything.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _failed() from exc


@dataclass(frozen=True)
class _OdfStyle:
    bold: bool = False
    italic: bool = False
    align: str = ""


def _odf_styles(*roots: Any) -> dict[str, _OdfStyle]:
    styles: dict[str, _OdfStyle] = {}
    for root in roots:
        for style in root.iter(_q("style", "style")):
            name = style.get(_q("style", "name"))
            if not name:
                continue
            text = style.find(_q("style", "text-properties"))
            para = style.find(_q("style", "paragraph-properties"))
            styles[name] = _OdfStyle(
                bold=text is not None and text.get(_q("fo", "font-weight")) in ("bold", "600", "700", "800", "900"),
                italic=text is not None and text.get(_q("fo", "font-style")) == "italic",
                align=_ODT_ALIGN.get(para.get(_q("fo", "text-align"), "") if para is not None else "", ""),
            )
    return styles


def _odf_runs(element: Any, styles: dict[str, _OdfStyle], bold: bool, italic: bool) -> list[Run]:
    runs: list[Run] = [Run(element.text, bold, italic)] if element.text else []
    for child in element:
        tag = child.tag
        if tag == _q("text", "s"):
            runs.append(Run(" " * min(int(child.get(_q("text", "c"), "1") or 1), 100), bold, italic))
        elif tag == _q("text", "tab"):
            runs.append(Run("\t", bold, italic))
        elif tag == _q("text", "line-break"):
            runs.append(Run("\n", bold, italic))
        elif tag in (_q("text", "span"), _q("text", "a")):
            style = styles.get(child.get(_q("text", "style-name"), ""), _OdfStyle())
            runs.extend(_odf_runs(child, styles, bold or style.bold, italic or style.italic))
        elif tag in (_q("text", "note"), _q("draw", "frame"), _q("office", "annotation")):
            pass  # notes, frames and comments are not the running text (frames: see _odt_boxes)
        elif isinstance(tag, str):
            runs.extend(_odf_runs(child, styles, bold, italic))
        if child.tail:
            runs.append(Run(child.tail, bold, italic))
    return runs


def _odt_paragraph(element: Any, styles: dict[str, _OdfStyle]) -> Block:
    style = styles.get(element.get(_q("text", "style-name"), ""), _OdfStyle())
    block = Block("paragraph", runs=_odf_runs(element, styles, style.bold, style.italic), align=style.align)
    if element.tag == _q("text", "h"):
        block.type = "heading"
        try:
            block.level = min(max(int(element.get(_q("text", "outline-level"), "1")), 1), 9)
        except ValueError:
            block.level = 1
    return block


def _odt_boxes(element: Any, styles: dict[str, _OdfStyle]) -> list[Block]:
    return [
        _odt_paragraph(p, styles)
        for box in element.iter(_q("draw", "text-box"))
        for p in box.iter(_q("text", "p"), _q("text", "h"))
    ]


def _odt_rows(element: Any) -> Iterator[Any]:
    """The table's own rows, also inside row groups, but not those of nested tables."""
    for child in element:
        if child.tag == _q("table", "table-row"):
            yield child
        elif child.tag in (_q("table", "table-header-rows"), _q("table", "table-rows"), _q("table", "table-row-group")):
            yield from _odt_rows(child)


def _odt_table(element: Any, budget: _Budget) -> Block:
    rows: list[list[str]] = []
    for row in _odt_rows(element):
        if len(rows) >= MAX_TABLE_ROWS or not budget.block():
            budget.exhausted = True
            break
        cells: list[str] = []
        for cell in row.iterchildren(_q("table", "table-cell")):
            if len(cells) >= MAX_TABLE_COLUMNS:
                break
            paragraphs = cell.iter(_q("text", "p"), _q("text", "h"))
            cells.append("\n".join("".join(r.text for r in _odf_runs(p, {}, False, False)) for p in paragraphs))
        rows.append(cells)
    return Block("table", rows=rows)


def _odt_walk(container: Any, styles: dict[str, _OdfStyle], budget: _Budget, out: list[Block]) -> None:
    for child in container:
        if budget.exhausted:
            return
        tag = child.tag
        if tag in (_q("text", "p"), _q("text", "h")):
            if budget.block():
                out.append(_odt_paragraph(child, styles))
                out.extend(_odt_boxes(child, styles))
        elif tag == _q("table", "table"):
            if budget.block():
                out.append(_odt_table(child, budget))
        elif tag in (_q("text", "list"), _q("text", "list-item"), _q("text", "list-header"), _q("text", "section")):
            _odt_walk(child, styles, budget, out)


def _odt(source: Path | IO[bytes], budget: _Budget) -> TextPreview:
    with _checked_zip(source) as archive:
        content = _read_member(archive, "content.xml")
        styles_xml = _read_member(archive, "styles.xml")
    if content is None:
        raise _failed()
    root = _xml(content)
    styles_root = _xml(styles_xml) if styles_xml else None
    styles = _odf_styles(*(r for r in (styles_root, root) if r is not None))
    preview = TextPreview(kind=Kind.ODT)
    if styles_root is not None:
        for header in styles_root.iter(_q("style", "header"), _q("style", "header-first")):
            _odt_walk(header, styles, budget, preview.header)
            preview.header = [b for b in preview.header if b.text.strip()]
    body = root.find(f"{_q('office', 'body')}/{_q('office', 'text')}")
    if body is not None:
        _odt_walk(body, styles, budget, preview.blocks)
    return _finish(preview, budget)


# --- XLSX --------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M" if (value.hour, value.minute) != (0, 0) else "%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(source: Path | IO[bytes], budget: _Budget) -> TextPreview:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(_slim_copy(source), read_only=True, data_only=True, keep_links=False)
    except DocumentError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged input
        raise _failed() from exc
    preview = TextPreview(kind=Kind.XLSX, sheet_count=len(workbook.worksheets))
    try:
        if not workbook.worksheets:
            return preview
        sheet = workbook.worksheets[0]
        preview.sheet = nfc(str(sheet.title))
        rows: list[list[str]] = []
        for values in sheet.iter_rows(max_row=SHEET_ROWS + 1, max_col=SHEET_COLUMNS, values_only=True):
            if len(rows) >= SHEET_ROWS:
                budget.exhausted = budget.exhausted or any(v is not None for v in values)
                break
            if not budget.block():
                break
            rows.append([_cell_text(v) for v in values])
        while rows and not any(c.strip() for c in rows[-1]):
            rows.pop()
        width = max((max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in rows), default=0)
        preview.blocks.append(Block("table", rows=[r[:width] + [""] * (width - len(r[:width])) for r in rows]))
    except Exception as exc:
        raise _failed() from exc
    finally:
        workbook.close()
    return _finish(preview, budget)


# --- Entry points -----------------------------------------------------------------------


def text_preview(
    source: Path | IO[bytes], kind: str, *, max_chars: int = MAX_CHARS, max_blocks: int = MAX_BLOCKS,
    seconds: float = SECONDS,
) -> TextPreview:  # fmt: skip
    """The readable content of a DOCX, ODT or XLSX (`source`: a path or a seekable
    binary file). Raises DocumentError preview_unsupported, preview_too_large or
    preview_failed."""
    readers: dict[str, Callable[[Path | IO[bytes], _Budget], TextPreview]] = {
        Kind.DOCX: _docx,
        Kind.ODT: _odt,
        Kind.XLSX: _xlsx,
    }
    if kind not in readers:
        raise _unsupported(kind)
    return readers[kind](source, _Budget(max_chars, max_blocks, seconds))


def image_preview(source: Path | IO[bytes], *, side: int = IMAGE_SIDE) -> ImagePreview:
    """The first page of a TIFF as a PNG at most `side` pixels on its long side.
    Multi-page scans say how many pages they have; the rest is in the original."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as image:
            if image.format != "TIFF":
                raise _failed()
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS or not width or not height:
                raise _too_large()
            pages = int(getattr(image, "n_frames", 1) or 1)
            image.seek(0)
            frame = image.convert("L" if image.mode in ("1", "L", "I;16", "I", "F") else "RGB")
        frame.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        frame.save(out, format="PNG", optimize=False)
        return ImagePreview(png=out.getvalue(), width=frame.width, height=frame.height, page_count=pages)
    except DocumentError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise (_too_large() if isinstance(exc, Image.DecompressionBombError) else _failed()) from exc
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError ... on damaged input
        raise _failed() from exc


# --- Stored files ----------------------------------------------------------------------------


@contextmanager
def _open_stored(stored: StoredFile) -> Iterator[IO[bytes]]:
    """The stored bytes as a seekable file (ZIP and TIFF readers seek); a storage whose
    files cannot seek is copied to a temporary file first. Read only."""
    from vanban.documents import storage

    with storage.open_blob(stored.sha256) as fh:
        if fh.seekable():
            yield fh
            return
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as copy:
            shutil.copyfileobj(fh, copy, 1024 * 1024)
            copy.seek(0)
            yield copy  # type: ignore[misc]


def preview_text_of(stored: StoredFile) -> TextPreview:
    if stored.kind not in TEXT_KINDS:
        raise _unsupported(stored.kind)
    with _open_stored(stored) as fh:
        return text_preview(fh, stored.kind)


def preview_image_of(stored: StoredFile) -> ImagePreview:
    if stored.kind not in IMAGE_KINDS:
        raise _unsupported(stored.kind)
    with _open_stored(stored) as fh:
        return image_preview(fh)


# --- Text near the top, for the secrecy-stamp check ------------------------------------------

LEADING_BLOCKS = 80


def _pdf_first_page_lines(source: Path | IO[bytes]) -> list[str]:
    import logging

    from pypdf import PdfReader

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(source, strict=False)
        text = (reader.pages[0].extract_text() or "") if reader.pages else ""
    finally:
        log.setLevel(level)
    return [nfc(line.strip()) for line in text.splitlines() if line.strip()]


def leading_lines(source: Path | IO[bytes], kind: str, limit: int) -> list[str]:
    """The first `limit` non-empty lines of the text at the top of a document, NFC: a
    PDF's first page (its text layer); a DOCX's or ODT's page header and then its first
    paragraphs, table cells and text boxes in reading order. Empty for other kinds and
    for files whose text cannot be read (the upload checks judged the file already)."""
    try:
        if kind == Kind.PDF:
            return _pdf_first_page_lines(source)[:limit]
        if kind in (Kind.DOCX, Kind.ODT):
            preview = text_preview(source, kind, max_blocks=LEADING_BLOCKS, max_chars=20_000, seconds=3.0)
            header = [line for block in preview.header for line in block.lines()][:limit]
            body = [line for block in preview.blocks for line in block.lines()][:limit]
            return header + body
    except Exception:  # an unreadable text layer holds no stamp
        return []
    return []


__all__ = [
    "IMAGE_KINDS",
    "PREVIEW_KINDS",
    "TEXT_KINDS",
    "Block",
    "ImagePreview",
    "Run",
    "TextPreview",
    "image_preview",
    "leading_lines",
    "preview_image_of",
    "preview_text_of",
    "text_preview",
]
