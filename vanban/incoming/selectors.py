"""Reads of incoming documents, with access applied in SQL (permissions.visibility_q)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from vanban.core.errors import NotFound
from vanban.incoming.models import IncomingDocument, IncomingFile
from vanban.incoming.permissions import visibility_q


def incoming_visible_to(user: Any) -> QuerySet[IncomingDocument]:
    scope = visibility_q(user)
    docs = IncomingDocument.objects.select_related("register", "document_type", "issuing_organ", "registered_by")
    if scope is not None:
        docs = docs.filter(scope)
    return docs.order_by("-arrival_date", "-pk")


def search_incoming(
    user: Any,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    urgency: str = "",
    document_type: int | None = None,
    text: str = "",
) -> QuerySet[IncomingDocument]:
    docs = incoming_visible_to(user)
    if date_from:
        docs = docs.filter(arrival_date__date__gte=date_from)
    if date_to:
        docs = docs.filter(arrival_date__date__lte=date_to)
    if urgency:
        docs = docs.filter(urgency=urgency)
    if document_type:
        docs = docs.filter(document_type_id=document_type)
    text = (text or "").strip()
    if text:
        q = Q(subject__icontains=text) | Q(code_notation__icontains=text) | Q(issuing_organ__name__icontains=text)
        if text.isdigit():
            q |= Q(arrival_number=int(text)) | Q(code_number=text)
        docs = docs.filter(q)
    return docs


def get_incoming_for(user: Any, pk: Any) -> IncomingDocument:
    """The document if the user may see it; NotFound (404) otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    doc = incoming_visible_to(user).filter(pk=pk).first()
    if doc is None:
        raise NotFound("Không tìm thấy văn bản đến.")
    return doc


def files_of(document: IncomingDocument) -> list[IncomingFile]:
    return list(document.files.select_related("file").order_by("position"))


def get_file_of(document: IncomingDocument, file_id: Any) -> IncomingFile:
    try:
        file_id = int(file_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    link = document.files.select_related("file").filter(pk=file_id).first()
    if link is None:
        raise NotFound("Không tìm thấy tệp.")
    return link


def registration_defaults(user: Any) -> dict[str, Any]:
    """What the registration form shows before saving: the clerk's register of this
    year (not opened here: it opens itself at the first registration) and the number
    the next registration will get if nobody registers first."""
    from vanban.documents.models import Register
    from vanban.documents.numbering import current_year, default_register_name, peek_next_number, split_owner
    from vanban.documents.selectors import default_register_owner

    owner = default_register_owner(user)
    if owner is None:
        return {"owner": None, "register": None, "register_name": "", "next_number": None}
    organ, unit = split_owner(owner)
    year = current_year()
    registers = Register.objects.filter(organ=organ, kind=Register.Kind.INCOMING, year=year, is_default=True)
    registers = registers.filter(unit=unit) if unit is not None else registers.filter(unit__isnull=True)
    register = registers.first()
    return {
        "owner": owner,
        "register": register,
        "register_name": register.name if register else default_register_name(Register.Kind.INCOMING, year),
        "next_number": peek_next_number(register) if register else 1,
    }


def signer_suggestions(user: Any, *, limit: int = 500) -> dict[str, list[str]]:
    """Signers and their titles from the documents the clerk can see, most recent
    first: the registration form's autocomplete (a sender's signers recur)."""
    docs = incoming_visible_to(user).exclude(signer_name="").order_by("-registered_at")[:5000]
    names: dict[str, None] = {}
    positions: dict[str, None] = {}
    for name, position in docs.values_list("signer_name", "signer_position"):
        if len(names) < limit:
            names.setdefault(name, None)
        if position and len(positions) < limit:
            positions.setdefault(position, None)
    return {"signers": list(names), "signer_positions": list(positions)}
