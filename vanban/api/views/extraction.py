"""Đọc tự động: propose an incoming document's metadata from its first page."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors
from vanban.api.serializers.extraction import ExtractionRequestSerializer, ProposalSerializer
from vanban.api.views.base import validated
from vanban.extraction import selectors, services
from vanban.extraction.models import Proposal
from vanban.extraction.prefill import prefill_for


def proposal_body(proposal: Proposal) -> dict[str, Any]:
    done = proposal.state == Proposal.State.DONE
    refusal = prefill_for(proposal).refusal if done else ""
    return ProposalSerializer(
        {
            "id": proposal.pk,
            "state": proposal.state,
            "file_name": proposal.file_name,
            "source": proposal.source,
            "fields": proposal.fields if done else None,
            "secrecy_warning": refusal or None,
            "job": proposal.job_id,
            "error": proposal.error,
            "created_at": proposal.created_at,
            "finished_at": proposal.finished_at,
        }
    ).data


class ExtractionView(APIView):
    permission_classes = [IsAuthenticated, TokenScopes]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["extraction"],
        operation_id="extraction_create",
        request={"multipart/form-data": ExtractionRequestSerializer},
        responses={
            201: OpenApiResponse(ProposalSerializer, description="PDF có lớp chữ: đã đọc xong ngay."),
            202: OpenApiResponse(ProposalSerializer, description="Ảnh quét: tác vụ OCR đã được xếp hàng."),
            **errors(400, 403),
        },
    )
    def post(self, request: Request) -> Response:
        """Đọc tự động trang đầu của văn bản đến theo thể thức Nghị định 30/2020/NĐ-CP
        (Phụ lục I): cơ quan ban hành, số và ký hiệu, địa danh và ngày tháng, loại văn
        bản, trích yếu, người ký, chức vụ, quyền hạn ký, độ khẩn và dấu độ mật.

        PDF có lớp chữ được đọc ngay (201); ảnh quét được nhận dạng ký tự (OCR) bằng tác
        vụ nền (202), xem kết quả tại GET /extraction/{id}. Các trường chỉ là đề xuất để
        văn thư kiểm tra lại. Chỉ văn thư được dùng. Khi có dấu độ mật, nội dung không
        được giữ lại và `secrecy_warning` nêu lý do từ chối đăng ký."""
        upload = validated(ExtractionRequestSerializer, request.data)["file"]
        proposal = services.request_proposal(actor=request.user, name=upload.name or "", content=upload)
        code = status.HTTP_201_CREATED if proposal.state == Proposal.State.DONE else status.HTTP_202_ACCEPTED
        if code == status.HTTP_202_ACCEPTED:
            proposal.refresh_from_db()
        return Response(proposal_body(proposal), status=code)


class ExtractionDetailView(APIView):
    permission_classes = [IsAuthenticated, TokenScopes]

    @extend_schema(
        tags=["extraction"], operation_id="extraction_retrieve", responses={200: ProposalSerializer, **errors(404)}
    )
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        """Kết quả đọc tự động của bạn (người khác yêu cầu: 404)."""
        return Response(proposal_body(selectors.get_proposal_for(request.user, pk)))
