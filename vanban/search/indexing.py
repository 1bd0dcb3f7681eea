"""Writes a document's SearchEntry and its word index. Called from the document's
post_save (same transaction), after text extraction, and by `vanban search reindex`.

Both forms of every token (exact and folded) are indexed, and so are the pairs of adjacent
tokens in both forms: a Vietnamese word or phrase is looked up as its pairs. On PostgreSQL
the tsvector literal is built here rather than by to_tsvector: the parser would split
Vietnamese letters under a C locale, and the literal keeps positions and weights
(metadata A, body D) exactly. On SQLite the FTS5 table `search_terms` (migration 0006)
holds each entry's distinct terms without positions, and their number."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from vanban.search.folding import fold, tokens
from vanban.search.models import FileText, SearchEntry

MAX_CONTENT = 200_000


def tsvector_literal(meta: str, body: str) -> str:
    """Each token in its exact and folded forms at its position (metadata weighted A),
    plus the bigrams of adjacent tokens in both forms, without positions: a query's
    phrase becomes an AND of bigram lookups that the GIN index answers exactly."""
    positions: dict[str, list[str]] = {}
    bigrams: set[str] = set()
    pos = 0
    prev: tuple[str, str] | None = None
    for weight, text in (("A", meta), ("", body)):
        for tok in tokens(text):
            pos += 1
            if pos > 16383:
                break
            folded = fold(tok)
            positions.setdefault(tok, []).append(f"{pos}{weight}")
            if folded != tok:
                positions.setdefault(folded, []).append(f"{pos}{weight}")
            if prev is not None:
                bigrams.add(f"{prev[0]}_{tok}")
                bigrams.add(f"{prev[1]}_{folded}")
            prev = (tok, folded)
    words = " ".join(f"'{lex}':{','.join(p[:256])}" for lex, p in positions.items())
    return words + "".join(f" '{b}'" for b in bigrams if b not in positions)


def fts5_terms(text: str) -> tuple[int, str]:
    """SQLite: (how many, the text's distinct terms) for the `search_terms` FTS5 table
    (detail=none: no positions): each token in its exact and folded forms, and each pair
    of adjacent tokens in both forms ("_ngân_sách", "_ngan_sach"), as PostgreSQL's bigrams;
    the leading "_" keeps the pairs apart from the tokens in the vocabulary's order, so a
    syllable's prefix lists tokens only.
    A Vietnamese word or phrase is then an AND of pair lookups, never a position check
    across every match. The count is the relevance key: on such an index bm25 orders the
    matches of a query by it alone (fewer terms first), so it is stored beside them."""
    toks = tokens(text)
    folded = [fold(t) for t in toks]
    terms = set(toks)
    terms.update(folded)
    terms.update(f"_{a}_{b}" for a, b in itertools.pairwise(toks))
    terms.update(f"_{a}_{b}" for a, b in itertools.pairwise(folded))
    return len(terms), " ".join(terms)


def write_vectors(entry_id: int, meta: str, body: str) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("UPDATE search_searchentry SET tsv = %s::tsvector WHERE id = %s",
                        [tsvector_literal(meta, body), entry_id])  # fmt: skip
        else:
            cur.execute("DELETE FROM search_terms WHERE rowid = %s", [entry_id])
            cur.execute("INSERT INTO search_terms(rowid, size, terms) VALUES (%s, %s, %s)",
                        [entry_id, *fts5_terms(f"{meta}\n{body}")])  # fmt: skip


def _texts_of(file_ids: Iterable[int]) -> str:
    ids = list(file_ids)
    texts = dict(FileText.objects.filter(file_id__in=ids).exclude(text="").values_list("file_id", "text"))
    return "\n".join(texts[i] for i in ids if i in texts)


def _save(lookup: dict[str, Any], fields: dict[str, Any], meta: str, body: str) -> SearchEntry:
    fields["content"] = f"{meta}\n{body}"[:MAX_CONTENT]
    fields["signer_folded"] = fold(fields.get("signer_name", ""))[:100]
    fields["indexed_at"] = timezone.now()
    entry, _ = SearchEntry.objects.update_or_create(**lookup, defaults=fields)
    write_vectors(entry.pk, meta, body)
    return entry


def _lines(*values: Any) -> str:
    return "\n".join(str(v) for v in values if v)


def index_incoming(doc: Any) -> SearchEntry:
    from vanban.incoming.models import IncomingFile

    organ_name = doc.issuing_organ.name if doc.issuing_organ_id else ""
    type_name = doc.document_type.name if doc.document_type_id else ""
    meta = _lines(doc.number_symbol, doc.subject, organ_name, type_name, doc.signer_name, doc.signer_position)
    body = _lines(doc.description, doc.to_places,
                  _texts_of(IncomingFile.objects.filter(document=doc).values_list("file_id", flat=True)))  # fmt: skip
    fields = {
        "kind": SearchEntry.Kind.INCOMING, "number_symbol": doc.number_symbol[:60], "subject": doc.subject[:500],
        "document_type_id": doc.document_type_id, "organ_id": doc.issuing_organ_id,
        "unit_id": doc.register.unit_id, "register_id": doc.register_id,
        "signer_name": doc.signer_name[:100], "status": doc.status, "urgency": doc.urgency,
        "doc_date": doc.issued_date, "registered_at": doc.arrival_date,
    }  # fmt: skip
    return _save({"incoming": doc}, fields, meta, body)


def outgoing_number_symbol(doc: Any) -> str:
    if doc.number and doc.code_notation:
        return f"{doc.number}/{doc.code_notation}"
    return str(doc.number or "") or doc.code_notation


def index_outgoing(doc: Any) -> SearchEntry:
    from vanban.outgoing.models import Version

    signer = doc.signer.get_full_name() if doc.signer_id else ""
    type_name = doc.document_type.name if doc.document_type_id else ""
    unit_name = doc.drafting_unit.name if doc.drafting_unit_id else ""
    number_symbol = outgoing_number_symbol(doc)
    meta = _lines(number_symbol, doc.subject, type_name, signer, doc.signer_position, unit_name)
    # The newest version is what the document says now; older drafts are history.
    latest = list(Version.objects.filter(document=doc).order_by("-number").values_list("file_id", flat=True)[:1])
    body = _lines(doc.to_places, _texts_of(latest))
    fields = {
        "kind": SearchEntry.Kind.OUTGOING, "number_symbol": number_symbol[:60], "subject": doc.subject[:500],
        "document_type_id": doc.document_type_id, "organ_id": doc.organ_id, "unit_id": doc.drafting_unit_id,
        "register_id": doc.register_id, "signer_name": signer[:100], "status": doc.status,
        "urgency": doc.urgency, "doc_date": doc.issued_date, "registered_at": doc.created_at,
    }  # fmt: skip
    return _save({"outgoing": doc}, fields, meta, body)


def reindex_documents_of_file(file_id: int) -> int:
    """After a file's text arrives: every document showing it gets its entry rewritten."""
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    n = 0
    for doc in IncomingDocument.objects.filter(files__file_id=file_id).distinct():
        index_incoming(doc)
        n += 1
    for doc in OutgoingDocument.objects.filter(versions__file_id=file_id).distinct():
        index_outgoing(doc)
        n += 1
    return n
