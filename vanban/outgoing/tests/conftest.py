"""Fixtures of the outgoing tests: the documents-core world, a ministry leader (the
signer) and a Văn phòng checker, and builders for drafts."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from vanban.documents.models import DocumentType
from vanban.documents.tests.docs_world import World, isolated_storage, pdf_bytes, world  # noqa: F401
from vanban.incoming.tests.conftest import ministry_leader, register_doc  # noqa: F401
from vanban.organisation.models import Unit
from vanban.organisation.roles import Role
from vanban.outgoing import services
from vanban.outgoing.models import OutgoingDocument


def docx_bytes(text: str = "Dự thảo công văn") -> bytes:
    from docx import Document

    d = Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@dataclass
class Desk:
    world: World
    signer: Any  # Lãnh đạo Bộ
    checker: Any  # Chánh Văn phòng (form check)
    office: Unit

    def draft(self, *, type_code: str = "cong-van", restricted: bool = False,
              recipients: list[tuple[str, int]] | None = None, **kw: Any) -> OutgoingDocument:
        data = services.DraftData(
            document_type=DocumentType.objects.get(code=type_code),
            subject=kw.pop("subject", "V/v báo cáo tình hình xuất khẩu gạo năm 2026"),
            signer=self.signer, signer_position="Thứ trưởng", signing_authority="KT",
            to_places="Như trên; Lưu: VT, XNK.", restricted=restricted,
            recipients=recipients if recipients is not None else [("unit", self.world.other.pk)], **kw,
        )
        return services.create_draft(actor=self.world.specialist, data=data,
                                     file=("du-thao.docx", docx_bytes()), comment="Bản đầu")

    def through_review(self, doc: OutgoingDocument) -> OutgoingDocument:
        w = self.world
        services.submit(actor=w.specialist, document=doc, note="Kính trình lãnh đạo xem xét",
                        reviewers=[("unit_leader", w.leader), ("checker", self.checker)])
        services.approve(actor=w.leader, document=doc, comment="Đồng ý nội dung")
        services.approve(actor=self.checker, document=doc, comment="Đúng thể thức")
        services.approve(actor=self.signer, document=doc, comment="Đồng ý ký")
        doc.refresh_from_db()
        return doc


@pytest.fixture
def desk(world: World, ministry_leader: Any, make_unit: Callable[..., Unit],  # noqa: F811
         make_user: Callable[..., Any], isolated_storage: Any) -> Desk:  # noqa: F811
    office = make_unit("Văn phòng Bộ", short_name="VP", kind=Unit.Kind.VAN_PHONG)
    checker = make_user("cvp.test", roles=[Role.UNIT_LEADER], unit=office, full_name="Chánh Văn phòng")
    return Desk(world=world, signer=ministry_leader, checker=checker, office=office)


__all__ = ["Desk", "docx_bytes", "pdf_bytes"]
