"""Keeps the index in the document's own transaction (no drift), and asks for text
extraction once a new file's transaction commits (OCR is slow; it runs in a job)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from vanban.search import sync


@receiver(post_save, sender="incoming.IncomingDocument")
def _incoming_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from vanban.search.indexing import index_incoming

    index_incoming(instance)


@receiver(post_save, sender="outgoing.OutgoingDocument")
def _outgoing_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from vanban.search.indexing import index_outgoing

    index_outgoing(instance)


def _file_linked(document_kind: str, document_id: int, file_id: int, owner_id: int | None) -> None:
    def later() -> None:
        from vanban.search.extraction_jobs import enqueue_extraction

        enqueue_extraction(document_kind=document_kind, document_id=document_id, file_id=file_id, owner_id=owner_id)

    transaction.on_commit(later)


@receiver(post_save, sender="incoming.IncomingFile")
def _incoming_file_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        _file_linked("incoming", instance.document_id, instance.file_id, instance.added_by_id)


@receiver(post_save, sender="outgoing.Version")
def _version_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        _file_linked("outgoing", instance.document_id, instance.file_id, instance.created_by_id)


# Names the entries copy from organs, document types, units and signers (sync.py).
sync.connect(pre_save, post_save)
