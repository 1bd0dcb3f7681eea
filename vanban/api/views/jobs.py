"""Background jobs (only the caller's own; another person's job is 404) and the
account import that starts one."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.accounts import imports
from vanban.api.serializers.common import errors
from vanban.api.serializers.jobs import AccountImportSerializer, JobDetailSerializer, JobSerializer
from vanban.api.views.base import AdminMixin, JsonListView, validated
from vanban.jobs.models import Job
from vanban.jobs.selectors import jobs_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the spreadsheet with `Accept: ...spreadsheetml.sheet`."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        # An error body reaching a client that asked for a spreadsheet still says why.
        return JSONRenderer().render(data)


class JobListView(JsonListView):
    serializer_class = JobSerializer

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_visible_to(self.request.user).defer("result", "params").order_by("-created_at", "pk")

    @extend_schema(tags=["jobs"], responses={200: JobSerializer(many=True), **errors(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tác vụ nền của bạn, mới nhất trước."""
        return super().get(request, *args, **kwargs)


class JobDetailView(generics.GenericAPIView):
    serializer_class = JobDetailSerializer

    @extend_schema(tags=["jobs"], responses={200: JobDetailSerializer, **errors(404)})
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        """Một tác vụ nền của bạn: trạng thái, tiến độ và kết quả khi đã xong."""
        job = jobs_visible_to(request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        return Response(JobDetailSerializer(job).data)


class AccountImportView(AdminMixin, APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["accounts"],
        request={"multipart/form-data": AccountImportSerializer},
        responses={
            202: OpenApiResponse(JobSerializer, description="Tệp hợp lệ; tác vụ nhập đã được xếp hàng."),
            **errors(400),
        },
    )
    def post(self, request: Request) -> Response:
        """Nhập tài khoản từ bảng tính (.xlsx, .csv) bằng tác vụ nền.

        Cấu trúc tệp được kiểm tra ngay: tệp không phải bảng tính (not_a_spreadsheet),
        thiếu cột bắt buộc (wrong_columns), không có dòng dữ liệu (empty_file) hoặc CSV
        không lưu bằng UTF-8 (not_utf8) bị từ chối với mã 400 và không tạo tác vụ. Sau đó
        tiến trình nền tạo từng tài khoản; theo dõi tiến độ tại /jobs/{id}."""
        upload = validated(AccountImportSerializer, request.data)["file"]
        job = imports.start_import(
            actor=request.user, filename=upload.name or "", data=upload.read(imports.MAX_BYTES + 1)
        )
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class AccountImportTemplateView(AdminMixin, APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        tags=["accounts"],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Tệp mẫu .xlsx"), **errors()},
    )
    def get(self, request: Request) -> HttpResponse:
        """Tệp mẫu nhập tài khoản: các cột, hướng dẫn, danh mục đơn vị bạn quản lý,
        chức vụ và vai trò."""
        response = HttpResponse(imports.build_template(request.user), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-tai-khoan.xlsx"'
        return response
