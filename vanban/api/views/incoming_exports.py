"""A register for a period (xlsx or PDF: the incoming or the outgoing App IV layout,
by the register's kind) and the receipt slip of one incoming document, as files.
Whoever may read a register's documents may export it: the rows are exactly those the
caller may open; a register or document outside their reach answers 404."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, errors, id_parameter
from vanban.api.views.base import JsonView
from vanban.core.errors import NotFound
from vanban.documents.models import Register
from vanban.incoming import exports, selectors
from vanban.outgoing import exports as outgoing_exports

PERMISSIONS = [IsAuthenticated, TokenScopes]


class FileView(JsonView):
    """Answers files, and errors as JSON. `format` is this API's own query parameter
    and an Accept of application/pdf is fine: content negotiation never refuses (406)
    or answers 404 for them, and errors fall back to the JSON renderer."""

    permission_classes = PERMISSIONS

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)


@extend_schema(tags=["incoming", "outgoing"], parameters=[id_parameter("id", "Mã số sổ văn bản đến hoặc đi")])
class RegisterExportView(FileView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                description="Từ ngày (YYYY-MM-DD; ngày đến với sổ đến, ngày văn bản với sổ đi); mặc định 01/01 của năm sổ",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                description="Đến ngày (YYYY-MM-DD); mặc định 31/12 của năm sổ",
            ),
            OpenApiParameter(
                "format",
                str,
                OpenApiParameter.QUERY,
                enum=exports.ExportFormat.values,
                default=exports.ExportFormat.XLSX.value,
                description="xlsx: bảng tính Excel; pdf: bản in theo mẫu Phụ lục IV Nghị định 30/2020/NĐ-CP",
            ),
        ],
        responses={
            (200, exports.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Sổ dạng Excel"),
            (200, exports.PDF_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Sổ dạng PDF để in"),
            **errors(400, 404),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        """Sổ đăng ký văn bản đến (theo ngày đến, giờ Việt Nam, xếp theo số đến) hoặc sổ đăng ký văn bản đi
        (văn bản đã ban hành theo ngày văn bản, xếp theo số; văn bản đã thu hồi vẫn giữ dòng, ghi chú lý do)
        trong một khoảng thời gian, theo loại sổ. Chỉ gồm văn bản người gọi được xem. Lỗi: invalid_date,
        invalid_period (từ ngày sau đến ngày), unknown_format, too_many_rows. Mỗi lần xuất được ghi nhật ký
        (incoming.register_exported hoặc outgoing.register_exported)."""
        if not 0 < pk <= MAX_ID:
            raise Http404
        params = request.query_params
        date_from = exports.parse_date(params.get("from"), "from")
        date_to = exports.parse_date(params.get("to"), "to")
        fmt = exports.parse_format(params.get("format") or exports.ExportFormat.XLSX)
        # The register's kind picks the book; either lookup answers 404 outside the caller's reach.
        kind = Register.objects.filter(pk=pk).values_list("kind", flat=True).first()
        books = outgoing_exports if kind == Register.Kind.OUTGOING else exports
        try:
            register = books.get_exportable_register(request.user, pk)
        except NotFound:
            raise Http404 from None
        export = books.export_register(
            actor=request.user, register=register, date_from=date_from, date_to=date_to, fmt=fmt
        )
        response = FileResponse(
            export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


@extend_schema(tags=["incoming"], parameters=[id_parameter()])
class IncomingReceiptView(FileView):
    @extend_schema(
        responses={
            (200, exports.PDF_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="Giấy biên nhận văn bản đến (PDF, khổ A5)"
            ),
            **errors(404),
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """Giấy biên nhận văn bản đến của một văn bản người gọi được xem, để in. Mỗi lần in được ghi nhật ký
        (incoming.receipt_printed)."""
        if not 0 < pk <= MAX_ID:
            raise Http404
        try:
            doc = selectors.get_incoming_for(request.user, pk)
        except NotFound:
            raise Http404 from None
        response = HttpResponse(
            exports.print_receipt(actor=request.user, document=doc), content_type=exports.PDF_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'inline; filename="giay-bien-nhan-van-ban-den-{doc.register.year}-{doc.arrival_number}.pdf"'
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
