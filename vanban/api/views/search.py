"""Search for programs: GET /api/v1/search with the web form's parameters."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors
from vanban.api.views.base import JsonView
from vanban.core.errors import ValidationFailed
from vanban.search import services
from vanban.search.forms import SearchForm
from vanban.search.selectors import Hit, SearchResult, count_matches, search

_PARAMS = [
    OpenApiParameter("q", str, description="Từ khóa (có dấu: đúng dấu; không dấu: mọi cách viết; \"cụm\"; tiền tố*)"),
    OpenApiParameter("kind", str, enum=["incoming", "outgoing"]),
    OpenApiParameter("document_type", int), OpenApiParameter("organ", int), OpenApiParameter("unit", int),
    OpenApiParameter("register", int), OpenApiParameter("status", str), OpenApiParameter("urgency", str),
    OpenApiParameter("signer", str), OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("sort", str, enum=["relevance", "-date", "date"]),
    OpenApiParameter("page", int), OpenApiParameter("page_size", int, description="1–100, mặc định 20"),
]  # fmt: skip

_HIT = inline_serializer("SearchHit", {
    "kind": serializers.CharField(), "id": serializers.IntegerField(), "number_symbol": serializers.CharField(),
    "subject": serializers.CharField(), "document_type": serializers.CharField(allow_null=True),
    "organ": serializers.CharField(allow_null=True), "signer_name": serializers.CharField(),
    "status": serializers.CharField(), "urgency": serializers.CharField(),
    "doc_date": serializers.DateField(allow_null=True), "registered_at": serializers.DateTimeField(),
    "url": serializers.CharField(), "snippet_html": serializers.CharField(),
    "rank": serializers.FloatField(allow_null=True),
})  # fmt: skip
_RESULT = inline_serializer("SearchResult", {
    "count": serializers.IntegerField(), "count_exact": serializers.BooleanField(),
    "sorted_by": serializers.CharField(), "page": serializers.IntegerField(), "pages": serializers.IntegerField(),
    "has_next": serializers.BooleanField(),
    "page_size": serializers.IntegerField(), "results": serializers.ListField(child=_HIT),
})  # fmt: skip


def _valid_form(request: Request) -> SearchForm:
    """The search parameters of the query string, or `invalid_<field>` with the form's message."""
    form = SearchForm(request.query_params)
    if not form.is_valid():
        field, message = form.first_error()
        raise ValidationFailed(f"invalid_{field or 'query'}", message, field or None)
    return form


def _hit(h: Hit) -> dict[str, Any]:
    e = h.entry
    return {
        "kind": e.kind, "id": e.incoming_id or e.outgoing_id, "number_symbol": e.number_symbol,
        "subject": e.subject, "document_type": e.document_type.name if e.document_type_id else None,
        "organ": e.organ.name if e.organ_id else None, "signer_name": e.signer_name, "status": e.status,
        "urgency": e.urgency, "doc_date": e.doc_date.isoformat() if e.doc_date else None,
        "registered_at": timezone.localtime(e.registered_at).isoformat(), "url": e.url,
        "snippet_html": str(h.snippet), "rank": h.rank,
    }  # fmt: skip


class SearchView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes]

    @extend_schema(tags=["search"], operation_id="search", parameters=_PARAMS,
                   responses={200: _RESULT, **errors(400)})  # fmt: skip
    def get(self, request: Request) -> Response:
        """Tìm văn bản đến và đi theo siêu dữ liệu và nội dung. Chỉ trả về (và chỉ đếm)
        những văn bản người gọi được xem. Trên 10.000 kết quả (trên 1.000 với từ khóa có trong
        phần lớn văn bản): `count_exact` = false (số đếm là cận dưới); trên 1.000 kết quả, xếp
        mới nhất trước (`sorted_by`); `has_next` cho biết còn trang sau. Đoạn trích `snippet_html` đã được thoát ký tự HTML,
        chỉ thẻ <mark> đánh dấu từ khớp."""
        form = _valid_form(request)
        result = search(request.user, form.params())
        services.record_search(actor=request.user, params={k: str(v) for k, v in form.cleaned_data.items()},
                               total=result.total)  # fmt: skip
        return Response(result_body(result))


_COUNT = inline_serializer("SearchCount", {
    "count": serializers.IntegerField(allow_null=True, help_text="null: đếm quá lâu, đã dừng"),
    "count_exact": serializers.BooleanField(),
})  # fmt: skip


class SearchCountView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes]

    @extend_schema(tags=["search"], operation_id="search_count", parameters=_PARAMS[:-3],
                   responses={200: _COUNT, **errors(400)})  # fmt: skip
    def get(self, request: Request) -> Response:
        """Số văn bản khớp chính xác (không giới hạn), với cùng tham số như GET /api/v1/search:
        dùng khi `count_exact` của kết quả tìm kiếm là false. Chỉ đếm những văn bản người gọi được
        xem. Với từ khóa rất phổ biến có thể mất vài giây; quá 20 giây thì dừng, trả về `count` = null và
        `count_exact` = false (hãy thêm từ khóa hoặc bộ lọc)."""
        n = count_matches(request.user, _valid_form(request).params())
        return Response({"count": n, "count_exact": n is not None})


def result_body(result: SearchResult) -> dict[str, Any]:
    """The SearchResult body (also answered by a saved search's run)."""
    sorted_by = "relevance" if result.ranked else ("date" if result.params.sort == "date" else "-date")
    return {"count": result.total, "count_exact": result.total_exact, "sorted_by": sorted_by,
            "page": result.params.page, "pages": result.pages, "has_next": result.has_next,
            "page_size": result.params.page_size, "results": [_hit(h) for h in result.hits]}  # fmt: skip
