"""A small ministry for the documents-core tests, built through the services, and
builders for the kinds of file clerks upload.

Bộ (organ, ministry clerk, system administrator)
Cục Xuất nhập khẩu (dept) ── Phòng Quản lý xuất khẩu (team)   ← unit_clerk, unit_admin, specialist
Vụ Pháp chế (other)                                            ← other_clerk
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from vanban.organisation.models import Organ, Unit
from vanban.organisation.roles import Role


@dataclass
class World:
    organ: Organ
    dept: Unit
    team: Unit
    other: Unit
    sysadmin: Any
    ministry_clerk: Any
    unit_clerk: Any
    unit_admin: Any
    other_clerk: Any
    specialist: Any
    leader: Any


@pytest.fixture
def world(organ: Organ, make_unit: Callable[..., Unit], make_user: Callable[..., Any]) -> World:
    dept = make_unit("Cục Xuất nhập khẩu", short_name="XNK")
    team = make_unit("Phòng Quản lý xuất khẩu", parent=dept, short_name="XNK-QLXK")
    other = make_unit("Vụ Pháp chế", short_name="PC")
    return World(
        organ=organ,
        dept=dept,
        team=team,
        other=other,
        sysadmin=make_user("quantri", roles=[Role.SYSTEM_ADMIN], unit=other),
        ministry_clerk=make_user("vanthu.bo", roles=[Role.MINISTRY_CLERK], unit=other),
        unit_clerk=make_user("vanthu.xnk", roles=[Role.UNIT_CLERK], unit=dept),
        unit_admin=make_user("qt.xnk", roles=[Role.UNIT_ADMIN], unit=dept),
        other_clerk=make_user("vanthu.pc", roles=[Role.UNIT_CLERK], unit=other),
        specialist=make_user("cv.xnk", roles=[Role.SPECIALIST], unit=team),
        leader=make_user("ld.xnk", roles=[Role.UNIT_LEADER], unit=dept),
    )


@pytest.fixture
def isolated_storage(settings: Any, tmp_path: Path) -> Path:
    """Stored files go to a folder of this test only, so counts and tampering are exact."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    return root


# --- Files --------------------------------------------------------------------------


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_bytes(pages: int = 1, marker: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if marker:  # different bytes for otherwise equal documents
        writer.add_metadata({"/Title": marker})
    return _write(writer)


def signed_pdf_bytes(*, signed: bool = True) -> bytes:
    """A PDF with a signature field; with `signed`, the field holds a signature value
    (a PAdES-shaped /Sig dictionary), otherwise it waits to be signed."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject("Chữ ký 1"),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([FloatObject(0)] * 4),
        }
    )
    if signed:
        value = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Sig"),
                NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
                NameObject("/SubFilter"): NameObject("/ETSI.CAdES.detached"),
                NameObject("/Contents"): ByteStringObject(b"\x30\x82" + b"\x00" * 62),
                NameObject("/ByteRange"): ArrayObject([NumberObject(0)] * 4),
            }
        )
        field[NameObject("/V")] = writer._add_object(value)
    ref = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([ref]), NameObject("/SigFlags"): NumberObject(3)}
    )
    return _write(writer)


def encrypted_pdf_bytes(user_password: str = "matkhau") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="RC4-128")
    return _write(writer)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt_bytes() -> bytes:
    return zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


def plain_zip_bytes() -> bytes:
    return zip_bytes({"cong-van.pdf": pdf_bytes(), "phu-luc.docx": docx_bytes()})
