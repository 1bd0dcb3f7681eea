"""Saved searches (/api/v1/search/saved…) and the Excel export of results
(/api/v1/search/export). Thin: the rules are in vanban.search.saved and .exports."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, StrictSerializer, bounded_id, errors, id_parameter
from vanban.api.views.base import JsonView, validated
from vanban.api.views.incoming_exports import FileView
from vanban.api.views.search import _PARAMS, _RESULT, result_body
from vanban.core.errors import NotFound
from vanban.search import exports, saved
from vanban.search.models import SavedSearch

PERMISSIONS = [IsAuthenticated, TokenScopes]


class SearchParamsSerializer(StrictSerializer):
    """The question of a search: the parameters of GET /search without the page."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=500)
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=["incoming", "outgoing"])
    document_type = bounded_id(required=False)
    organ = bounded_id(required=False)
    unit = bounded_id(required=False)
    register = bounded_id(required=False)
    status = serializers.CharField(required=False, allow_blank=True, max_length=20)
    urgency = serializers.CharField(required=False, allow_blank=True, max_length=20)
    signer = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    sort = serializers.ChoiceField(required=False, choices=["relevance", "-date", "date"])


class SavedSearchCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, help_text="Tên (duy nhất trong các tìm kiếm đã lưu của mình)")
    params = SearchParamsSerializer(help_text="Từ khóa, bộ lọc và cách sắp xếp như GET /search")


class SavedSearchRenameSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)


class SavedSearchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    params = serializers.DictField(child=serializers.CharField(), help_text="Điều kiện đã lưu (dạng chuỗi như trên URL)")
    summary = serializers.CharField(help_text="Mô tả điều kiện bằng tiếng Việt")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_run_at = serializers.DateTimeField(allow_null=True)


def _body(item: SavedSearch) -> dict[str, Any]:
    return dict(SavedSearchSerializer({
        "id": item.pk, "name": item.name, "params": item.params, "summary": saved.describe(item.params),
        "created_at": item.created_at, "updated_at": item.updated_at, "last_run_at": item.last_run_at,
    }).data)  # fmt: skip


def _own(request: Request, pk: int) -> SavedSearch:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return saved.get_saved_search_for(request.user, pk)
    except NotFound:
        raise Http404 from None


class SavedSearchListView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(tags=["search"], operation_id="search_saved_list",
                   responses={200: SavedSearchSerializer(many=True)})  # fmt: skip
    def get(self, request: Request) -> Response:
        """Các tìm kiếm đã lưu của người gọi, theo tên."""
        return Response([_body(s) for s in saved.saved_searches_of(request.user)])

    @extend_schema(tags=["search"], operation_id="search_saved_create", request=SavedSearchCreateSerializer,
                   responses={201: SavedSearchSerializer, **errors(400)})  # fmt: skip
    def post(self, request: Request) -> Response:
        """Lưu từ khóa, bộ lọc và cách sắp xếp với một tên. Lỗi: name_required, name_too_long,
        duplicate_name (đã có tên này, không phân biệt hoa thường), empty_search (không có từ khóa
        hay bộ lọc nào), too_many_saved (tối đa 100), invalid_<trường> (điều kiện không hợp lệ)."""
        data = validated(SavedSearchCreateSerializer, request.data)
        item = saved.save_search(actor=request.user, name=data["name"], params=data["params"])
        return Response(_body(item), status=status.HTTP_201_CREATED)


@extend_schema(tags=["search"], parameters=[id_parameter()])
class SavedSearchDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="search_saved_retrieve", responses={200: SavedSearchSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một tìm kiếm đã lưu của người gọi (của người khác: 404)."""
        return Response(_body(_own(request, pk)))

    @extend_schema(operation_id="search_saved_rename", request=SavedSearchRenameSerializer,
                   responses={200: SavedSearchSerializer, **errors(400, 404)})  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        """Đổi tên. Lỗi: name_required, name_too_long, duplicate_name."""
        item = _own(request, pk)
        data = validated(SavedSearchRenameSerializer, request.data)
        return Response(_body(saved.rename_saved_search(actor=request.user, saved=item, name=data["name"])))

    @extend_schema(operation_id="search_saved_destroy", responses={204: None, **errors(404)})
    def delete(self, request: Request, pk: int) -> Response:
        """Xóa tìm kiếm đã lưu (chỉ điều kiện; văn bản không bị ảnh hưởng)."""
        saved.delete_saved_search(actor=request.user, saved=_own(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["search"], parameters=[id_parameter()])
class SavedSearchResultsView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="search_saved_results",
                   parameters=[OpenApiParameter("page", int),
                               OpenApiParameter("page_size", int, description="1–100, mặc định 20")],
                   responses={200: _RESULT, **errors(400, 404)})  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        """Chạy lại tìm kiếm đã lưu với quyền xem hiện tại của người gọi: kết quả chỉ gồm văn bản
        người gọi được xem lúc này (như GET /search). Lỗi saved_search_outdated khi một điều kiện
        không còn hợp lệ (vd. cơ quan đã bị xóa khỏi danh bạ)."""
        item = _own(request, pk)
        result = saved.run_saved_search(actor=request.user, saved=item, page=request.query_params.get("page"),
                                        page_size=request.query_params.get("page_size"))  # fmt: skip
        return Response(result_body(result))


class SearchExportView(FileView):
    @extend_schema(
        tags=["search"], operation_id="search_export",
        parameters=[p for p in _PARAMS if p.name not in ("page", "page_size")],
        responses={(200, exports.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY,
                                                                      description="Kết quả tìm kiếm dạng Excel"),
                   **errors(400)},
    )  # fmt: skip
    def get(self, request: Request) -> FileResponse:
        """Xuất Excel toàn bộ kết quả tìm kiếm (không chỉ một trang) mà người gọi được xem: số và ký
        hiệu, ngày văn bản, số đến, ngày đến, loại văn bản, cơ quan ban hành, trích yếu, người ký,
        đơn vị xử lý, hạn xử lý, độ khẩn, trạng thái, sổ. Tối đa 40.000 văn bản (lỗi too_many_rows:
        hãy thu hẹp điều kiện). Mỗi lần xuất được ghi nhật ký (search.exported)."""
        params = {k: v for k, v in request.query_params.items() if k not in ("page", "page_size", "format")}
        export = exports.export_results(actor=request.user, params=params)
        response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                                content_type=exports.XLSX_CONTENT_TYPE)  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        return response
