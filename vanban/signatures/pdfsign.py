"""PDF mechanics of signing with pyHanko: opening a PDF for an incremental update,
the number and date fields, visible signature fields and where they go, and reading
back the signatures a PDF holds. No database access here (see `services`).

Why the number and date are pre-created text fields (checked with pyHanko's
validator and poppler's pdfsig, see tests/test_signing.py): the clerk writes the
number and date after the person signed. Any annotation (FreeText) added after a
signature is judged "OTHER" by pyHanko's difference analysis, which breaks the
person's signature; filling a form field that already existed when the person signed
is "FORM_FILLING", allowed after an approval signature. So the person's signing adds
two empty, invisible text fields on page 1 in the revision it signs, and the clerk
fills them (value + read-only appearance) as an incremental update. The person's
signature is an approval signature: a certification (DocMDP), even one permitting
form filling and annotations, forbids adding the organ's new signature field after
it (pyHanko: "only allowed after an approval signature").
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.stamp import BaseStampStyle

from vanban.signatures import appearance
from vanban.signatures.errors import SignatureError
from vanban.signatures.timestamps import SigningProfile

logger = logging.getLogger(__name__)

NUMBER_FIELD = "vanban_so_ky_hieu"
DATE_FIELD = "vanban_ngay_ban_hanh"
PERSON_FIELD_PREFIX = "vanban_ky_ca_nhan_"
ORGAN_FIELD_PREFIX = "vanban_ky_co_quan_"

MM = 72 / 25.4
PERSON_BOX = (62 * MM, 27 * MM)  # width, height of the person's signature box
NUMBER_FONT_SIZE = 13
TOP_SEARCH_FRACTION = 0.45  # the number and date lines sit in the top part of page 1
# Room for the CMS container: an RSA-4096 signature with a chain of four certificates
# fits in a third of it; a timestamp token adds its own certificates.
BYTES_RESERVED = 24 * 1024
BYTES_RESERVED_TSA = 48 * 1024


def pdf_error(code: str, message: str) -> SignatureError:
    return SignatureError(code, message, "file")


# --- Opening -------------------------------------------------------------------------------------


def open_for_update(pdf: bytes) -> IncrementalPdfFileWriter:
    """A writer appending to `pdf`, or pdf_encrypted / pdf_broken. The input is never
    changed: the update is written after its last byte."""
    if not pdf or not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise pdf_error("pdf_broken", "Tệp không phải PDF hoặc bị hỏng: không thể ký.")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise pdf_error(
                "pdf_encrypted",
                "Tệp PDF được đặt mật khẩu hoặc mã hóa: không thể ký. Hãy dùng bản không mã hóa.",
            )
        if int(reader.root["/Pages"]["/Count"]) < 1:
            raise ValueError("no pages")
        return IncrementalPdfFileWriter.from_reader(reader)
    except SignatureError:
        raise
    except Exception as exc:  # pyHanko raises many kinds on damaged input; all mean "unreadable"
        raise pdf_error("pdf_broken", "Tệp PDF bị hỏng hoặc không đọc được: không thể ký.") from exc


def write(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Geometry and text on a page ------------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    text: str
    x: float
    y: float
    size: float


def _pypdf(pdf: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf), strict=False)


def page_count(pdf: bytes) -> int:
    return len(_pypdf(pdf).pages)


def page_size(pdf: bytes, index: int) -> tuple[float, float]:
    page = _pypdf(pdf).pages[index]
    return float(page.mediabox.width), float(page.mediabox.height)


def text_runs(pdf: bytes, index: int) -> list[TextRun]:
    """The text pieces of a page with their start point and font size, best effort:
    used to find the placeholders of the number, date and signature block."""
    runs: list[TextRun] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if not text.strip():
            return
        # Start point in page space: text matrix then current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        runs.append(TextRun(unicodedata.normalize("NFC", text), x, y, size * scale))

    try:
        _pypdf(pdf).pages[index].extract_text(visitor_text=visit)
    except Exception:  # a page whose text cannot be read still gets default positions
        logger.info("Could not read text positions on page %s", index, exc_info=True)
    return runs


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _find(runs: list[TextRun], needle: str, where: Callable[[TextRun], bool]) -> TextRun | None:
    folded = _fold(needle)
    return next((r for r in runs if folded in _fold(r.text) and where(r)), None)


# --- Number and date fields ----------------------------------------------------------------------


def _field_exists(writer: IncrementalPdfFileWriter, name: str) -> bool:
    try:
        fields = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return False
    return any(ref.get_object().get("/T") == name for ref in fields)


def _acroform_fields(writer: IncrementalPdfFileWriter) -> generic.ArrayObject:
    root = writer.root
    if "/AcroForm" not in root:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    form = root["/AcroForm"]
    if "/Fields" not in form:
        form[pdf_name("/Fields")] = generic.ArrayObject()
        writer.update_container(form)
    if "/DR" not in form:
        # /DA of a text field names a font that /DR must define (PDF 32000 §12.7.3.3).
        form[pdf_name("/DR")] = generic.DictionaryObject(
            {
                pdf_name("/Font"): generic.DictionaryObject(
                    {
                        pdf_name("/Helv"): generic.DictionaryObject(
                            {
                                pdf_name("/Type"): pdf_name("/Font"),
                                pdf_name("/Subtype"): pdf_name("/Type1"),
                                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                                pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
                            }
                        )
                    }
                )
            }
        )
        writer.update_container(form)
    return form["/Fields"]


def _add_text_field(writer: IncrementalPdfFileWriter, name: str, rect: tuple[float, float, float, float]) -> None:
    fields = _acroform_fields(writer)
    page_ref, _ = writer.find_page_for_modification(0)
    field = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(name),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(round(v, 2)) for v in rect),
            pdf_name("/F"): generic.NumberObject(4),  # print
            pdf_name("/P"): page_ref,
            pdf_name("/DA"): pdf_string(f"/Helv {NUMBER_FONT_SIZE} Tf 0 g"),
        }
    )
    ref = writer.add_object(field)
    fields.append(ref)
    writer.update_container(fields)
    writer.register_annotation(page_ref, ref)


def number_field_rects(pdf: bytes) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Where "Số: …" and "<place>, ngày … tháng … năm …" go on page 1: over the
    placeholders the draft printed when they can be found in the top part of the
    page (left column for the number, right for the date, as ND30 App I lays them
    out), else at their usual places under the header."""
    width, height = page_size(pdf, 0)
    runs = [r for r in text_runs(pdf, 0) if r.y > height * (1 - TOP_SEARCH_FRACTION)]
    # Tall enough for descenders (g, y) below the placeholder's baseline.
    field_h = NUMBER_FONT_SIZE + 12
    number = _find(runs, "Số:", lambda r: r.x < width / 2)
    if number is not None:
        x1 = number.x - 2
        number_rect = (x1, number.y - 7, min(x1 + 80 * MM, width / 2 - 2), number.y - 7 + field_h)
    else:
        number_rect = (20 * MM, height - 62 * MM, 95 * MM, height - 62 * MM + field_h)
    date = _find(runs, "ngày", lambda r: r.x >= width * 0.3)
    if date is not None:
        x1 = date.x - 2
        date_rect = (x1, date.y - 7, width - 12 * MM, date.y - 7 + field_h)
    else:
        date_rect = (width / 2, number_rect[1], width - 15 * MM, number_rect[3])
    return number_rect, date_rect


def add_number_fields(writer: IncrementalPdfFileWriter, pdf: bytes) -> None:
    """The two empty fields the clerk fills after the person signs (idempotent)."""
    number_rect, date_rect = number_field_rects(pdf)
    if not _field_exists(writer, NUMBER_FIELD):
        _add_text_field(writer, NUMBER_FIELD, number_rect)
    if not _field_exists(writer, DATE_FIELD):
        _add_text_field(writer, DATE_FIELD, date_rect)


def _fill_field(writer: IncrementalPdfFileWriter, name: str, text: str, font: str) -> None:
    from pyhanko.pdf_utils.form_tools import FormFillingError, find_existing_empty_field, get_single_field_annot

    try:
        field_ref = find_existing_empty_field(writer, name, field_type="/Tx")
    except FormFillingError as exc:
        raise SignatureError(
            "number_fields_missing",
            "Văn bản đã ký không có ô để điền số, ký hiệu và ngày ban hành (hoặc đã được điền): văn bản cần được "
            "ký số trên hệ thống này trước khi cấp số.",
            "file",
        ) from exc
    field = field_ref.get_object()
    annot = get_single_field_annot(field)
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    content = appearance.FilledFieldAppearance(
        writer, text, appearance.text_style(font, NUMBER_FONT_SIZE), abs(x2 - x1), abs(y2 - y1)
    )
    content.apply_appearance(annot)
    writer.update_container(annot)
    field["/V"] = generic.TextStringObject(text)
    field["/Ff"] = generic.NumberObject(int(field.get("/Ff", 0)) | 1)  # read-only from now on
    field.pop("/DA", None)
    writer.mark_update(field_ref)


def fill_number_fields(writer: IncrementalPdfFileWriter, *, number_text: str, date_text: str) -> None:
    _fill_field(writer, NUMBER_FIELD, number_text, appearance.SERIF)
    _fill_field(writer, DATE_FIELD, date_text, appearance.SERIF_ITALIC)


def vietnamese_date_line(place: str, day: dt.date) -> str:
    """The date line, e.g. "Hà Nội, ngày 05 tháng 02 năm 2026": ND30 App I writes a 0 before days under 10
    and before months 1 and 2."""
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


# --- Signature fields --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldBox:
    """A visible signature's place: page index (negative counts from the end) and the
    rectangle (x1, y1, x2, y2) in points from the page's lower left."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


def person_box(pdf: bytes, signer_name: str) -> FieldBox:
    """Default place of the person's signature on the last page: just above their name
    in the signature block (between title and name, ND30 App I) when the name is found
    in the lower part of the right half, else the bottom right."""
    last = page_count(pdf) - 1
    width, height = page_size(pdf, last)
    w, h = PERSON_BOX
    name = unicodedata.normalize("NFC", signer_name).strip()
    found = None
    if name:
        found = _find(text_runs(pdf, last), name, lambda r: r.x > width * 0.35)
    if found is not None:
        name_width = len(name) * found.size * 0.5
        centre = min(max(found.x + name_width / 2, w / 2 + 5), width - w / 2 - 5)
        y1 = found.y + found.size + 2
        return FieldBox(last, centre - w / 2, y1, centre + w / 2, min(y1 + h, height - 5))
    x2 = width - 20 * MM
    y1 = 35 * MM
    return FieldBox(last, x2 - w, y1, x2, y1 + h)


def sign(
    writer: IncrementalPdfFileWriter,
    *,
    signer: signers.Signer,
    field_name: str,
    box: FieldBox | None,
    style: BaseStampStyle | None,
    reason: str = "",
    location: str = "",
    signer_name: str | None = None,
    profile: SigningProfile | None = None,
) -> bytes:
    """One PAdES signature in a new field, as an incremental update of what `writer`
    holds, at the profile's level (B-B without one; see `timestamps`)."""
    profile = profile or SigningProfile(level="B-B", timestamper=None, validation_context=None)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=signer_name,
        embed_validation_info=profile.long_term,
        validation_context=profile.validation_context,
        use_pades_lta=profile.archival,
    )
    spec = sig_fields.SigFieldSpec(
        field_name,
        on_page=box.page if box else 0,
        box=tuple(round(v, 2) for v in box.rect) if box else None,  # type: ignore[arg-type]
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=profile.timestamper, stamp_style=style, new_field_spec=spec
    )
    try:
        # A fixed reservation spares pyHanko a dry-run signature to size the container.
        out = pdf_signer.sign_pdf(
            writer, bytes_reserved=BYTES_RESERVED_TSA if profile.timestamper is not None else BYTES_RESERVED
        )
    except SignatureError:
        raise
    except Exception as exc:
        logger.warning("Signing failed", exc_info=True)
        if profile.timestamper is not None and "imestamp" in f"{type(exc).__name__} {exc}":
            raise pdf_error(
                "timestamp_failed", f"Không lấy được dấu thời gian từ dịch vụ cấp dấu thời gian: {exc}"
            ) from exc
        raise pdf_error("signing_failed", f"Không ký được tệp PDF: {exc}") from exc
    return out.getvalue()


def new_field_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


# --- Reading signatures back -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureWidget:
    field_name: str
    page: int
    rect: tuple[float, float, float, float]


def signature_widgets(pdf: bytes) -> list[SignatureWidget]:
    """Visible signature widgets in document order of their fields."""
    reader = _pypdf(pdf)
    found: list[SignatureWidget] = []
    for index, page in enumerate(reader.pages):
        for annot_ref in page.get("/Annots") or []:
            annot = annot_ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            field = annot if "/FT" in annot else (annot.get("/Parent").get_object() if annot.get("/Parent") else annot)
            if field.get("/FT") != "/Sig" or field.get("/V") is None:
                continue
            rect = tuple(float(v) for v in annot.get("/Rect", [0, 0, 0, 0]))
            x1, y1, x2, y2 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
            if x2 - x1 < 1 or y2 - y1 < 1:
                continue
            found.append(SignatureWidget(str(field.get("/T", "")), index, (x1, y1, x2, y2)))
    return found


def embedded_signatures(pdf: bytes) -> list[Any]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return list(reader.embedded_regular_signatures)
