"""Keeping the index right when a change does not go through a document's save.

The documents' post_save rewrites their entry in the same transaction. Two kinds of
change escape it, and are handled here, in the changing transaction too:

- a QuerySet.update() / bulk_update() of indexed document fields (no post_save): the
  code doing it calls `refresh_incoming(ids)` / `refresh_outgoing(ids)` for the rows it
  changed. `INDEXED_INCOMING_FIELDS` / `INDEXED_OUTGOING_FIELDS` name the fields whose
  change needs that; a test reads vanban/ to keep every such update paired with a refresh;
- a name that the entries copy from a related row: the issuing organ and document type
  (words of incoming and outgoing entries), the drafting unit and the signer's full name
  (outgoing words, and the signer filter's column). Receivers in `signals.py` remember the
  old name before the save and, when it changed, rewrite the entries that show it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

# Fields of the documents copied into SearchEntry or its word index (indexing.py).
INDEXED_INCOMING_FIELDS = frozenset({
    "code_number", "code_notation", "subject", "document_type", "document_type_id", "issuing_organ",
    "issuing_organ_id", "register", "register_id", "signer_name", "signer_position", "status", "urgency",
    "issued_date", "arrival_date", "description", "to_places",
})  # fmt: skip
INDEXED_OUTGOING_FIELDS = frozenset({
    "number", "code_notation", "subject", "document_type", "document_type_id", "organ", "organ_id",
    "drafting_unit", "drafting_unit_id", "register", "register_id", "signer", "signer_id", "signer_position",
    "status", "urgency", "issued_date", "created_at", "to_places",
})  # fmt: skip
_BATCH = 500


def _batches(ids: Iterable[int]) -> Iterable[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), _BATCH):
        yield unique[start : start + _BATCH]


def refresh_incoming(ids: Iterable[int]) -> int:
    """Rewrite the entries of these incoming documents from their rows, now (call it in
    the transaction that changed them). Returns how many were rewritten."""
    from vanban.incoming.models import IncomingDocument
    from vanban.search.indexing import index_incoming

    return _refresh(IncomingDocument, index_incoming, ("issuing_organ", "document_type", "register"), ids)


def refresh_outgoing(ids: Iterable[int]) -> int:
    """As `refresh_incoming`, for outgoing documents."""
    from vanban.outgoing.models import OutgoingDocument
    from vanban.search.indexing import index_outgoing

    return _refresh(OutgoingDocument, index_outgoing, ("document_type", "signer", "drafting_unit"), ids)


def _refresh(model: Any, index: Any, related: tuple[str, ...], ids: Iterable[int]) -> int:
    n = 0
    for batch in _batches(ids):
        for doc in model.objects.filter(pk__in=batch).select_related(*related):
            index(doc)
            n += 1
    return n


# --- Names copied from related rows ----------------------------------------------------------

# model label -> (the field holding the name, incoming FK to it, outgoing FK to it)
_NAMED: dict[str, tuple[str, str | None, str | None]] = {
    "organisation.organ": ("name", "issuing_organ", None),
    "documents.documenttype": ("name", "document_type", "document_type"),
    "organisation.unit": ("name", None, "drafting_unit"),  # incoming entries keep the unit's id only
    "accounts.user": ("full_name", None, "signer"),
}
_OLD = "_search_indexed_name"


def remember_name(instance: models.Model, update_fields: Iterable[str] | None) -> None:
    """Before a related row is saved: note the name its documents' entries show."""
    spec = _NAMED.get(instance._meta.label_lower)
    if spec is None or instance.pk is None:
        return
    field = spec[0]
    if update_fields is not None and field not in set(update_fields):
        return  # e.g. a login saving last_login: the name cannot have changed
    old = type(instance)._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first()
    setattr(instance, _OLD, old)


def refresh_for_renamed(instance: models.Model) -> int:
    """After the save: when the name changed, rewrite the entries of the documents
    that carry it (their words, and the outgoing signer filter's column)."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    spec = _NAMED.get(instance._meta.label_lower)
    if spec is None or not hasattr(instance, _OLD):
        return 0
    old = getattr(instance, _OLD)
    delattr(instance, _OLD)
    field, incoming_fk, outgoing_fk = spec
    if old is None or old == getattr(instance, field):
        return 0
    n = 0
    if incoming_fk:
        n += refresh_incoming(IncomingDocument.objects.filter(**{incoming_fk: instance}).values_list("pk", flat=True))
    if outgoing_fk:
        n += refresh_outgoing(OutgoingDocument.objects.filter(**{outgoing_fk: instance}).values_list("pk", flat=True))
    return n


def connect(pre_save: Any, post_save: Any) -> None:
    """Wire the receivers for the related models (called from signals.py)."""

    def before(sender: Any, instance: models.Model, update_fields: Any = None, **kwargs: Any) -> None:
        remember_name(instance, update_fields)

    def after(sender: Any, instance: models.Model, created: bool = False, **kwargs: Any) -> None:
        if not created:
            refresh_for_renamed(instance)

    for label in _NAMED:
        app_label, model_name = label.split(".")
        pre_save.connect(before, sender=f"{app_label}.{model_name}", weak=False,
                         dispatch_uid=f"search-sync-before-{label}")  # fmt: skip
        post_save.connect(after, sender=f"{app_label}.{model_name}", weak=False,
                          dispatch_uid=f"search-sync-after-{label}")  # fmt: skip
