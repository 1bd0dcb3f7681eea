"""Fixtures of the exchange tests: the edXML sample messages (samples/, byte-identical
copies of ../shared/fixtures/edxml with their README; $VANBAN_EDXML_FIXTURES points
elsewhere), the documents-core world, and builders of messages."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from vanban.documents.tests.docs_world import World, isolated_storage, pdf_bytes, world  # noqa: F401
from vanban.exchange.messages import VIETNAM, Attachment, Business, EdocMessage, OrganInfo, SignerInfo, TraceHeader

FIXTURES = Path(os.environ.get("VANBAN_EDXML_FIXTURES") or Path(__file__).resolve().parent / "samples")

FAMILY_7816 = ("edoc_revocation.edxml", "edoc_update.edxml", "edoc_replacement.edxml")
STATUS_FILES = {
    "status.edxml": "01",
    "status_inbox__01.edxml": "01",
    "status_rejection_02.edxml": "02",
    "status_acceptance_03.edxml": "03",
    "status_assignment_04.edxml": "04",
    "status_processing_05.edxml": "05",
    "status_finish_06.edxml": "06",
    "status_cancellation_13.edxml": "13",
    "status_change-acceptance_15.edxml": "15",
    "status_change-rejection_16.edxml": "16",
}
VALID_FILES = (*FAMILY_7816, "edoc_new.edxml", "real_2019_thongtu.edxml", *STATUS_FILES)


def sample(name: str) -> bytes:
    path = FIXTURES / name
    assert path.is_file(), f"edXML sample {path} is missing (set VANBAN_EDXML_FIXTURES)"
    return path.read_bytes()


def simple_message(*, to: str = "000.00.00.H41", pdf: bytes | None = None, **overrides: Any) -> EdocMessage:
    """A small, valid document message from the ministry with one PDF attachment."""
    values: dict[str, Any] = {
        "from_organ": OrganInfo(organ_id="000.00.00.G02", organization_in_charge="Bộ Công Thương",
                                organ_name="Bộ Công Thương", organ_add="54 Hai Bà Trưng, Hà Nội"),
        "to_organs": [OrganInfo(organ_id=to, organization_in_charge="UBND tỉnh Nghệ An", organ_name="UBND tỉnh Nghệ An")],
        "document_id": "000.00.00.G02,2026/03/05,125/BCT-XNK",
        "code_number": "125",
        "code_notation": "BCT-XNK",
        "promulgation_place": "Hà Nội",
        "promulgation_date": dt.date(2026, 3, 5),
        "document_type": 1,
        "document_type_detail": 0,
        "document_type_name": "Công văn",
        "subject": "V/v báo cáo tình hình xuất khẩu gạo quý I năm 2026",
        "content": "V/v báo cáo tình hình xuất khẩu gạo quý I năm 2026",
        "signer": SignerInfo(competence="KT. BỘ TRƯỞNG", position="Thứ trưởng", full_name="Nguyễn Sinh Nhật Tân"),
        "trace_headers": [TraceHeader(organ_id="000.00.00.G02",
                                      timestamp=dt.datetime(2026, 3, 5, 14, 30, 12, tzinfo=VIETNAM))],
        "business": Business(business_doc_type=0, reason="Văn bản điện tử mới", paper=0),
        "attachments": [Attachment(content_id="3f1c0a52-0000-4000-8000-000000000001", name="125-BCT-XNK.pdf",
                                   description="125-BCT-XNK.pdf", content_type="application/pdf",
                                   data=pdf if pdf is not None else pdf_bytes(marker="125/BCT-XNK"))],
    }  # fmt: skip
    values.update(overrides)
    return EdocMessage(**values)


@pytest.fixture
def own_h41(db: Any) -> Any:
    """UBND tỉnh Nghệ An as an organ running this installation (the samples' receiver)."""
    from vanban.organisation import services

    return services.create_organ(actor=None, organ_id="000.00.00.H41", name="UBND tỉnh Nghệ An", short_name="UBND-NA",
                                 is_own=True)  # fmt: skip
