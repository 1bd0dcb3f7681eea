"""Reads of outgoing documents, with access applied in SQL (permissions.visibility_q)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vanban.core.errors import NotFound
from vanban.organisation.permissions import effective_roles
from vanban.organisation.roles import Role
from vanban.outgoing.models import OpinionRequest, OutgoingDocument, ReviewTask
from vanban.outgoing.permissions import visibility_q
from vanban.workflow.permissions import identity

RELATED = ("document_type", "drafting_unit", "organ", "signer", "created_by", "register")

BOXES = {
    "drafts": "Dự thảo của tôi",
    "review": "Chờ tôi duyệt",
    "sign": "Chờ tôi ký",
    "opinions": "Xin ý kiến tôi",
    "issue": "Chờ ban hành",
    "issued": "Đã ban hành",
}


def outgoing_visible_to(user: Any) -> QuerySet[OutgoingDocument]:
    return OutgoingDocument.objects.filter(visibility_q(user)).select_related(*RELATED).order_by("-created_at", "-pk")


def get_outgoing_for(user: Any, pk: Any) -> OutgoingDocument:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    doc = outgoing_visible_to(user).filter(pk=pk).first()
    if doc is None:
        raise NotFound("Không tìm thấy văn bản đi.")
    return doc


def in_box(user: Any, box: str, text: str = "") -> QuerySet[OutgoingDocument]:
    ident = identity(user)
    docs = outgoing_visible_to(user)
    if box == "drafts":
        docs = docs.filter(created_by_id__in=ident.user_ids).exclude(status__in=["issued", "recalled"])
    elif box == "review":
        docs = docs.filter(reviews__reviewer_id__in=ident.user_ids, reviews__status=ReviewTask.Status.PENDING,
                           status=OutgoingDocument.Status.IN_REVIEW)  # fmt: skip
    elif box == "sign":
        docs = docs.filter(signer_id=user.pk, status=OutgoingDocument.Status.APPROVED)
    elif box == "opinions":
        q = Q(opinions__user_id__in=ident.user_ids)
        for path in ident.leader_paths:
            q |= Q(opinions__unit__path__startswith=path)
        docs = docs.filter(q, opinions__status=OpinionRequest.Status.PENDING)
    elif box == "issue":
        if not any(r.role == Role.MINISTRY_CLERK for r in effective_roles(user)):
            return docs.none()
        docs = docs.filter(status=OutgoingDocument.Status.SIGNED)
    elif box == "issued":
        docs = docs.filter(status__in=["issued", "recalled"]).order_by("-issued_at", "-pk")
    else:
        raise NotFound("Không có hộp văn bản này.")
    text = (text or "").strip()
    if text:
        q = Q(subject__icontains=text) | Q(code_notation__icontains=text)
        if text.isdigit():
            q |= Q(number=int(text))
        docs = docs.filter(q)
    return docs.distinct()


def counts(user: Any) -> dict[str, int]:
    return {box: in_box(user, box).count() for box in ("review", "sign", "opinions", "issue")}


def opinions_for(user: Any, doc: OutgoingDocument) -> list[OpinionRequest]:
    """The document's opinion requests, each marked `mine` when the reader answers it."""
    from vanban.workflow.permissions import leads_unit

    ident = identity(user)
    rows = list(doc.opinions.select_related("unit", "user", "requested_by", "answered_by"))
    for o in rows:
        if o.user_id is not None:
            o.mine = o.user_id in ident.user_ids  # type: ignore[attr-defined]
        else:
            o.mine = leads_unit(user, o.unit) is not None  # type: ignore[attr-defined]
    return rows


def get_opinion_for(user: Any, pk: Any) -> OpinionRequest:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    o = OpinionRequest.objects.select_related("document", "unit").filter(pk=pk).first()
    if o is None or not outgoing_visible_to(user).filter(pk=o.document_id).exists():
        raise NotFound("Không tìm thấy yêu cầu xin ý kiến.")
    return o


def review_routes_for(user: Any) -> QuerySet[Any]:
    """The routes an administrator manages: all for a system administrator, those of
    their units (and none organ-wide) for a unit administrator."""
    from vanban.organisation.selectors import admin_unit_paths
    from vanban.outgoing.models import ReviewRoute

    routes = ReviewRoute.objects.select_related("document_type", "unit").order_by("unit__path", "document_type__name")
    paths = admin_unit_paths(user)
    if paths is None:
        return routes
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(unit__path__startswith=path)
    return routes.filter(q)
