"""Incoming documents: clerks register (multipart metadata + files); readers list and
open what the selectors let them see (404 outside)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, errors, id_parameter
from vanban.api.serializers.incoming import (
    DuplicateErrorSerializer,
    FilePreviewSerializer,
    IncomingCreateSerializer,
    IncomingFilterSerializer,
    IncomingSerializer,
    IncomingSummarySerializer,
)
from vanban.api.serializers.signature_reports import SignatureReportSerializer
from vanban.api.views.base import JsonView, query_params, validated
from vanban.core.errors import NotFound
from vanban.documents import preview, signature_reports
from vanban.extraction.services import discard_file, file_for_registration
from vanban.incoming import selectors, services
from vanban.incoming.errors import DuplicateSuspected
from vanban.incoming.models import IncomingDocument, IncomingFile

PERMISSIONS = [IsAuthenticated, TokenScopes]


def _document_or_404(request: Request, pk: Any) -> IncomingDocument:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return selectors.get_incoming_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _file_or_404(request: Request, pk: Any, file_id: Any) -> tuple[IncomingDocument, IncomingFile]:
    doc = _document_or_404(request, pk)
    if not isinstance(file_id, int) or not 0 < file_id <= MAX_ID:
        raise Http404
    try:
        return doc, selectors.get_file_of(doc, file_id)
    except NotFound:
        raise Http404 from None


class IncomingListView(generics.ListAPIView):
    serializer_class = IncomingSummarySerializer
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, JSONParser]

    def get_queryset(self) -> QuerySet[IncomingDocument]:
        filters = query_params(IncomingFilterSerializer, self.request)
        return selectors.search_incoming(
            self.request.user,
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
            urgency=filters.get("urgency", ""),
            document_type=filters.get("document_type"),
            text=filters.get("q", ""),
        )

    @extend_schema(
        tags=["incoming"],
        parameters=[IncomingFilterSerializer],
        responses={200: IncomingSummarySerializer(many=True), **errors(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Văn bản đến mà người gọi được xem: văn bản mình đăng ký, văn bản trong sổ của đơn vị mình làm văn thư,
        hoặc mọi văn bản với Lãnh đạo Bộ, Văn thư Bộ. Mới nhất trước."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["incoming"],
        request={"multipart/form-data": IncomingCreateSerializer, "application/json": IncomingCreateSerializer},
        responses={
            201: IncomingSerializer,
            409: OpenApiResponse(DuplicateErrorSerializer, description="Có thể trùng văn bản đã đăng ký"),
            **errors(400),
        },
    )
    def post(self, request: Request) -> Response:
        """Đăng ký văn bản đến (văn thư) và cấp số đến. Văn bản mật hoặc đơn thư tố cáo bị từ chối
        (secret_document, forbidden_kind) và không có gì được lưu; văn bản có thể trùng trả về 409
        possible_duplicate kèm các lần đăng ký trước, gửi lại với confirm_duplicate=true để vẫn đăng ký.
        Sau POST /extraction, gửi `proposal` (mã kết quả đọc tự động) để đăng ký tệp đã gửi, không tải lại."""
        data = validated(IncomingCreateSerializer, request.data)
        uploads = data.pop("files", [])
        confirm = data.pop("confirm_duplicate", False)
        not_secret = data.pop("confirm_not_secret", False)
        keep_as_typed = set(data.pop("keep_as_typed", []))
        files: list[tuple[str, Any]] = [(f.name, f) for f in uploads]
        proposal = None
        if "proposal" in data:
            # The file already sent to POST /extraction, as the web form re-uses it.
            proposal, name, path = file_for_registration(actor=request.user, proposal_id=data.pop("proposal"))
            files.insert(0, (name, path))
        try:
            doc = services.register_incoming(
                actor=request.user,
                data=services.IncomingData(**data, keep_as_typed=keep_as_typed),
                files=files,
                confirm_duplicate=confirm,
                confirm_not_secret=not_secret,
            )
        except DuplicateSuspected as exc:
            body = {**exc.as_dict(), "matches": exc.matches}
            return Response(body, status=status.HTTP_409_CONFLICT)
        if proposal is not None:
            discard_file(proposal)
        return Response(IncomingSerializer(doc).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["incoming"], parameters=[id_parameter()])
class IncomingDetailView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: IncomingSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một văn bản đến với các tệp (mã băm SHA-256). Mỗi lần mở được ghi nhật ký."""
        doc = _document_or_404(request, pk)
        services.record_view(actor=request.user, document=doc)
        # Opening a document sent "để biết" is its reading (issue 3); recorded once.
        from vanban.workflow.services import record_reading

        record_reading(actor=request.user, document=doc)
        return Response(IncomingSerializer(doc).data)


@extend_schema(tags=["incoming"], parameters=[id_parameter(), id_parameter("file_id", "Mã số tệp trong văn bản")])
class IncomingFileView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Nội dung tệp gốc, nguyên vẹn (Content-Type theo loại tệp)"
            ),
            **errors(404),
        }
    )
    def get(self, request: Request, pk: int, file_id: int) -> FileResponse:
        """Tải tệp gốc của văn bản đến, đúng từng byte như khi nhận (chữ ký số vẫn kiểm tra được)."""
        from vanban.documents import storage

        doc, link = _file_or_404(request, pk, file_id)
        services.record_file_download(actor=request.user, document=doc, link=link, inline=False)
        response = FileResponse(
            storage.open_blob(link.file.sha256),
            as_attachment=True,
            filename=link.name,
            content_type=link.file.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


@extend_schema(tags=["incoming"], parameters=[id_parameter(), id_parameter("file_id", "Mã số tệp trong văn bản")])
class IncomingFilePreviewView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="incoming_files_preview",
        responses={
            (200, "application/json"): OpenApiResponse(
                FilePreviewSerializer, description="DOCX, ODT, XLSX: nội dung chữ (đề mục, đoạn văn, bảng)"
            ),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="TIFF: trang đầu dạng ảnh PNG"),
            **errors(400, 404),
        },
    )
    def get(self, request: Request, pk: int, file_id: int) -> Response | HttpResponse:
        """Bản xem trước của tệp mà trình duyệt không hiển thị trực tiếp: DOCX, ODT, XLSX (trang tính đầu)
        thành chữ có cấu trúc; ảnh quét TIFF thành ảnh PNG trang đầu. Tệp gốc không thay đổi. Nội dung
        quá dài chỉ có phần đầu (truncated). Lỗi: preview_unsupported (PDF, PNG, JPEG xem trực tiếp tệp gốc;
        DOC, XLS, ZIP không có bản xem trước), preview_too_large, preview_failed. Mỗi lần xem được ghi nhật ký."""
        doc, link = _file_or_404(request, pk, file_id)
        if link.file.kind in preview.IMAGE_KINDS:
            image = preview.preview_image_of(link.file)
            services.record_file_download(actor=request.user, document=doc, link=link, inline=True)
            response = HttpResponse(image.png, content_type="image/png")
            response["X-Content-Type-Options"] = "nosniff"
            return response
        body = preview.preview_text_of(link.file).as_dict()
        services.record_file_download(actor=request.user, document=doc, link=link, inline=True)
        return Response(FilePreviewSerializer(body).data)


@extend_schema(tags=["incoming"], parameters=[id_parameter(), id_parameter("file_id", "Mã số tệp trong văn bản")])
class IncomingFileVerifyView(JsonView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="incoming_files_verify",
        request=None,
        responses={200: SignatureReportSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, pk: int, file_id: int) -> Response:
        """Kiểm tra lại chữ ký số của tệp PDF ngay bây giờ (toàn vẹn, người ký, chuỗi chứng thư đến các chứng thư
        gốc tin cậy đã cấu hình, thời điểm ký, thông tin thu hồi có trong tệp) và trả về kết quả; kết quả thay
        cho lần kiểm tra trước. `ok`: mọi chữ ký nguyên vẹn, hợp lệ và tệp không bị sửa trái phép sau khi ký;
        `trusted`: báo riêng. Tệp PDF hỏng hoặc mã hóa: state failed với error_code broken_pdf, encrypted_pdf.
        Lỗi: not_pdf (tệp không phải PDF). Mỗi lần kiểm tra được ghi nhật ký."""
        _doc, link = _file_or_404(request, pk, file_id)
        report = signature_reports.check_file(actor=request.user, stored=link.file)
        return Response(SignatureReportSerializer(report).data)
