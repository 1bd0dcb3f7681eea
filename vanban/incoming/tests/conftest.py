"""Fixtures of the incoming tests: the documents-core world plus a ministry leader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from vanban.documents.models import DocumentType
from vanban.documents.tests.docs_world import World, isolated_storage, world  # noqa: F401
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import IncomingData, register_incoming
from vanban.organisation.roles import Role


@pytest.fixture
def ministry_leader(world: World, make_user: Callable[..., Any]) -> Any:  # noqa: F811
    return make_user("ld.bo", roles=[Role.MINISTRY_LEADER], unit=world.other)


def congvan() -> DocumentType:
    return DocumentType.objects.get(code="cong-van")


def sample_data(**overrides: Any) -> IncomingData:
    values: dict[str, Any] = {
        "document_type": congvan(),
        "issuing_organ_name": "UBND tỉnh Nghệ An",
        "code_number": "125",
        "code_notation": "UBND-KT",
        "issued_date": timezone.localdate() - dt.timedelta(days=2),
        "subject": "V/v báo cáo tình hình xuất khẩu gạo quý III",
        "signer_name": "Nguyễn Văn A",
        "signer_position": "Phó Chủ tịch",
    }
    values.update(overrides)
    return IncomingData(**values)


@pytest.fixture
def register_doc(isolated_storage: Any) -> Callable[..., IncomingDocument]:  # noqa: F811
    def make(actor: Any, *, files: Any = None, confirm_duplicate: bool = False, **overrides: Any) -> IncomingDocument:
        return register_incoming(
            actor=actor, data=sample_data(**overrides), files=files or [], confirm_duplicate=confirm_duplicate
        )

    return make
