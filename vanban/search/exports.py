"""«Xuất Excel» of search results: every match (not just the page on screen), with the
columns a clerk keeps in a list of documents.

The rows come from `selectors.matching_entries`, the same SQL as the results page:
the permission rules are part of the query, so an export can never hold a document the
person may not open. Rows stream (`iterator()`) into openpyxl's write-only mode through
the audit log's cell helpers (no formulas from user text, Vietnam time), chunk by chunk
so the processing unit of each incoming document costs one query per chunk. The export
is audited with its parameters and row count.

Like the incoming register export, it is built in the request: bench/incoming_exports.py
measured about 4 s of CPU for 20 000 register rows, so the same cap (40 000) keeps one
export inside a web worker's time limit; a wider question is narrowed by its filters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from vanban.audit import services as audit
from vanban.audit.display import person_name
from vanban.audit.exports import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE  # re-exported for callers
from vanban.audit.exports import Export, append, header, info_sheet, save, stamp
from vanban.core.errors import ValidationFailed
from vanban.documents.catalogue import Urgency
from vanban.documents.register_exports import EXPORT_ROW_CAP
from vanban.search.forms import SearchForm
from vanban.search.models import SearchEntry
from vanban.search.saved import clean_params, describe
from vanban.search.selectors import SearchParams, matching_entries, search_session

_CHUNK = 1000
COLUMNS = (
    "STT",
    "Văn bản",
    "Số, ký hiệu",
    "Ngày văn bản",
    "Số đến",
    "Ngày đến / ngày tạo",
    "Loại văn bản",
    "Cơ quan ban hành",
    "Trích yếu",
    "Người ký",
    "Đơn vị xử lý",
    "Hạn xử lý",
    "Độ khẩn",
    "Trạng thái",
    "Sổ văn bản",
)
_WIDTHS = (6, 12, 20, 12, 8, 17, 18, 30, 60, 22, 30, 12, 12, 22, 26)


def _status_labels() -> dict[tuple[str, str], str]:
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    labels = {(SearchEntry.Kind.INCOMING.value, v): str(lbl) for v, lbl in IncomingDocument.Status.choices}
    labels.update({(SearchEntry.Kind.OUTGOING.value, v): str(lbl) for v, lbl in OutgoingDocument.Status.choices})
    return labels


def ordered_entries(actor: Any, params: SearchParams) -> QuerySet[SearchEntry]:
    """Every match the actor may open, in the order of the export: by date of the
    document when asked (oldest first), otherwise newest first — a list on paper has no
    use for relevance scores."""
    qs = matching_entries(actor, params)
    if params.sort == "date":
        return qs.order_by("doc_date", "id")
    return qs.order_by("-registered_at", "-id")


def _processing_units(incoming_ids: list[int]) -> dict[int, str]:
    """The unit (or person) leading each incoming document's processing: its top-level
    lead assignment, the newest one not handed back."""
    from vanban.workflow.models import Assignment

    if not incoming_ids:
        return {}
    rows = (
        Assignment.objects.filter(document_id__in=incoming_ids, role=Assignment.Role.LEAD, parent__isnull=True)
        .exclude(status=Assignment.Status.RETURNED)
        .order_by("document_id", "assigned_at", "pk")
        .values_list("document_id", "assignee_unit__name", "assignee_user__full_name", "assignee_user__username")
    )
    found: dict[int, str] = {}
    for doc_id, unit_name, full_name, username in rows:
        found[doc_id] = unit_name or full_name or username or ""  # the newest wins
    return found


def _rows(entries: QuerySet[SearchEntry]) -> Iterator[list[Any]]:
    statuses = _status_labels()
    urgencies = dict(Urgency.choices)
    stream = entries.select_related("document_type", "organ", "unit", "register", "incoming").iterator(
        chunk_size=_CHUNK
    )
    n = 0
    while chunk := list(islice(stream, _CHUNK)):
        units = _processing_units([e.incoming_id for e in chunk if e.incoming_id])
        for e in chunk:
            n += 1
            doc = e.incoming if e.incoming_id else None
            yield [
                n,
                "Đến" if doc is not None else "Đi",
                e.number_symbol,
                e.doc_date,
                doc.arrival_number if doc is not None else None,
                e.registered_at,
                e.document_type.name if e.document_type_id else "",
                e.organ.name if e.organ_id else "",
                e.subject,
                e.signer_name,
                units.get(e.incoming_id or 0, "") if doc is not None else (e.unit.name if e.unit_id else ""),
                doc.due_date if doc is not None else None,
                str(urgencies.get(e.urgency, e.urgency)),
                statuses.get((e.kind, e.status), e.status),
                e.register.name if e.register_id else "",
            ]


def export_results(*, actor: Any, params: Mapping[str, Any]) -> Export:
    """All results of the search `params` (the search form's fields) that the actor may
    open, as an .xlsx; records `search.exported` with the parameters and the count."""
    cleaned = clean_params(params)
    form = SearchForm(cleaned)
    form.is_valid()  # clean_params has validated the same data
    search_params = form.params()
    with transaction.atomic(), search_session():
        entries = ordered_entries(actor, search_params)
        count = entries.order_by().count()
        if count > EXPORT_ROW_CAP:
            raise ValidationFailed(
                "too_many_rows",
                f"Có {count} văn bản phù hợp, vượt quá {EXPORT_ROW_CAP} văn bản mỗi lần xuất: "
                "hãy thêm từ khóa hoặc điều kiện lọc (thời gian, loại, đơn vị) để thu hẹp.",
                "q",
            )
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Kết quả tìm kiếm")
        header(ws, COLUMNS, _WIDTHS)
        rows = 0
        for values in _rows(entries):
            append(ws, values)
            rows += 1
        info_sheet(wb, "Kết quả tìm kiếm văn bản", [
            ("Người xuất", person_name(actor)),
            ("Thời điểm xuất", timezone.now()),
            ("Điều kiện tìm kiếm", describe(cleaned)),
            ("Số văn bản", rows),
            ("Phạm vi", "Chỉ gồm văn bản người xuất được xem tại thời điểm xuất"),
        ])  # fmt: skip
        audit.record(actor=actor, action="search.exported", target=None,
                     data={"params": cleaned, "count": rows, "format": "xlsx"})  # fmt: skip
    return Export(save(wb), f"ket-qua-tim-kiem-{stamp()}.xlsx", rows, False)
