"""Reads of proposals: each is visible to the clerk who asked for it only."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from vanban.core.errors import NotFound
from vanban.extraction.models import Proposal


def proposals_of(user: Any) -> QuerySet[Proposal]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return Proposal.objects.filter(owner_id=user.pk)


def get_proposal_for(user: Any, proposal_id: Any) -> Proposal:
    try:
        key = uuid.UUID(str(proposal_id))
    except ValueError:
        raise NotFound("Không tìm thấy kết quả đọc tự động.") from None
    proposal = proposals_of(user).select_related("job").filter(pk=key).first()
    if proposal is None:
        raise NotFound("Không tìm thấy kết quả đọc tự động.")
    return proposal
