"""Hồ sơ: the file plan, files and their items, retention report, transfer lists and the
archive. Reads answer 404 for what the caller may not see; actions raise the services'
errors with their stable codes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID, EmptySerializer, errors, id_parameter
from vanban.api.serializers.jobs import JobSerializer
from vanban.api.serializers.records import (
    DossierFilterSerializer,
    DossierOpenSerializer,
    DossierSerializer,
    DossierSummarySerializer,
    DossierUpdateSerializer,
    EntryCreateSerializer,
    FileDocumentSerializer,
    HeadingCreateSerializer,
    LegalHoldSerializer,
    MaterialSerializer,
    MoveSerializer,
    PackageReportSerializer,
    PackageUploadSerializer,
    PlanCreateSerializer,
    PlanEntrySerializer,
    PlanHeadingSerializer,
    PlanSerializer,
    PlanSummarySerializer,
    ReasonSerializer,
    RetentionRowSerializer,
    TransferCreateSerializer,
    TransferSerializer,
)
from vanban.api.views.base import JsonView, query_params, validated
from vanban.core.errors import NotFound, ValidationFailed
from vanban.incoming.selectors import get_incoming_for
from vanban.organisation.models import Unit
from vanban.outgoing.selectors import get_outgoing_for
from vanban.records import package, selectors, services
from vanban.records.models import Dossier, DossierItem, PlanEntry

PERMISSIONS = [IsAuthenticated, TokenScopes]
TAGS = ["records"]


def _pk(pk: Any) -> int:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def _plan(pk: Any) -> Any:
    try:
        return selectors.get_plan(_pk(pk))
    except NotFound:
        raise Http404 from None


def _dossier(request: Request, pk: Any) -> Dossier:
    try:
        return selectors.get_dossier_for(request.user, _pk(pk))
    except NotFound:
        raise Http404 from None


def _item(request: Request, pk: Any) -> DossierItem:
    item = DossierItem.objects.filter(pk=_pk(pk), dossier__in=selectors.dossiers_visible_to(request.user)).first()
    if item is None:
        raise Http404
    return item


def _transfer(request: Request, pk: Any) -> Any:
    try:
        return selectors.get_transfer_for(request.user, _pk(pk))
    except NotFound:
        raise Http404 from None


def _dossier_data(dossier: Dossier) -> dict[str, Any]:
    return DossierSerializer(Dossier.objects.select_related("unit").get(pk=dossier.pk)).data


class View(JsonView):
    permission_classes = PERMISSIONS


# --- Plans -----------------------------------------------------------------------------------


class PlanListView(View):
    @extend_schema(tags=TAGS, responses={200: PlanSummarySerializer(many=True), **errors()})
    def get(self, request: Request) -> Response:
        """Các danh mục hồ sơ của cơ quan, năm mới nhất trước."""
        return Response(PlanSummarySerializer(selectors.plans()[:200], many=True).data)

    @extend_schema(tags=TAGS, request=PlanCreateSerializer, responses={201: PlanSerializer, **errors(400, 409)})
    def post(self, request: Request) -> Response:
        """Văn thư Bộ lập danh mục hồ sơ của một năm (dự thảo)."""
        d = validated(PlanCreateSerializer, request.data)
        plan = services.create_plan(actor=request.user, year=d["year"], title=d["title"])
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class PlanDetailView(View):
    @extend_schema(responses={200: PlanSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Danh mục hồ sơ với các đề mục và hồ sơ."""
        return Response(PlanSerializer(_plan(pk)).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class PlanHeadingsView(View):
    @extend_schema(request=HeadingCreateSerializer, responses={201: PlanHeadingSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Thêm đề mục vào danh mục dự thảo."""
        d = validated(HeadingCreateSerializer, request.data)
        heading = services.add_heading(actor=request.user, plan=_plan(pk), **d)
        return Response(PlanHeadingSerializer(heading).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class PlanEntriesView(View):
    @extend_schema(request=EntryCreateSerializer, responses={201: PlanEntrySerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Thêm hồ sơ vào danh mục dự thảo; thời hạn bảo quản là số năm hoặc «Vĩnh viễn» (400 retention_invalid)."""
        from django.contrib.auth import get_user_model

        plan = _plan(pk)
        d = validated(EntryCreateSerializer, request.data)
        heading = plan.headings.filter(pk=d["heading"]).first()
        if heading is None:
            raise ValidationFailed("heading_invalid", "Đề mục không thuộc danh mục này.", "heading")
        unit = Unit.objects.filter(pk=d["unit"]).first()
        if unit is None:
            raise ValidationFailed("unit_invalid", "Không có đơn vị này.", "unit")
        responsible = None
        if d["responsible"]:
            responsible = get_user_model().objects.filter(pk=d["responsible"], is_active=True).first()
            if responsible is None:
                raise ValidationFailed("user_invalid", "Không có người dùng này.", "responsible")
        entry = services.add_entry(actor=request.user, plan=plan, heading=heading, notation=d["notation"],
                                   title=d["title"], retention=d["retention"], unit=unit, responsible=responsible,
                                   note=d["note"])  # fmt: skip
        return Response(PlanEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class PlanEntryView(View):
    @extend_schema(responses={204: None, **errors(404, 409)})
    def delete(self, request: Request, pk: int) -> Response:
        """Bỏ một hồ sơ khỏi danh mục dự thảo."""
        entry = PlanEntry.objects.filter(pk=_pk(pk)).select_related("plan").first()
        if entry is None:
            raise Http404
        services.remove_entry(actor=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _plan_action(call: Any, summary: str, code: int = 200) -> type:
    @extend_schema(tags=TAGS, parameters=[id_parameter()])
    class PlanActionView(View):
        @extend_schema(request=EmptySerializer, responses={code: PlanSerializer, **errors(404, 409)},
                       description=summary)  # fmt: skip
        def post(self, request: Request, pk: int) -> Response:
            validated(EmptySerializer, request.data or {})
            plan = call(request.user, _plan(pk))
            return Response(PlanSerializer(plan).data, status=code)

    return PlanActionView


PlanApproveView = _plan_action(lambda u, p: services.approve_plan(actor=u, plan=p), "Lãnh đạo Bộ duyệt danh mục.")
PlanPublishView = _plan_action(lambda u, p: services.publish_plan(actor=u, plan=p), "Văn thư Bộ ban hành danh mục đã duyệt.")
PlanCopyView = _plan_action(lambda u, p: services.copy_plan_forward(actor=u, plan=p),
                            "Sao danh mục sang năm sau (dự thảo mới).", code=201)  # fmt: skip


# --- Files -----------------------------------------------------------------------------------


class DossierListView(View):
    @extend_schema(tags=TAGS, parameters=[DossierFilterSerializer],
                   responses={200: DossierSummarySerializer(many=True), **errors(400)})  # fmt: skip
    def get(self, request: Request) -> Response:
        """Hồ sơ bạn được xem (lọc theo trạng thái, năm, từ khóa)."""
        f = query_params(DossierFilterSerializer, request)
        qs = selectors.search_dossiers(request.user, state=f.get("state", ""), year=f.get("year"), text=f.get("q", ""))
        return Response(DossierSummarySerializer(qs[:500], many=True).data)

    @extend_schema(tags=TAGS, request=DossierOpenSerializer, responses={201: DossierSerializer, **errors(400, 404, 409)})
    def post(self, request: Request) -> Response:
        """Mở hồ sơ từ danh mục đã ban hành."""
        d = validated(DossierOpenSerializer, request.data)
        entry = PlanEntry.objects.filter(pk=d["entry"]).first()
        if entry is None:
            raise ValidationFailed("entry_invalid", "Không có hồ sơ này trong danh mục.", "entry")
        dossier = services.open_dossier(actor=request.user, entry=entry, start_date=d["start_date"])
        return Response(_dossier_data(dossier), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DossierDetailView(View):
    @extend_schema(responses={200: DossierSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Hồ sơ với các trường thông tin (Phụ lục VI) và mục lục văn bản."""
        return Response(_dossier_data(_dossier(request, pk)))

    @extend_schema(request=DossierUpdateSerializer, responses={200: DossierSerializer, **errors(400, 404, 409)})
    def patch(self, request: Request, pk: int) -> Response:
        """Sửa thông tin hồ sơ đang lập."""
        dossier = _dossier(request, pk)
        d = validated(DossierUpdateSerializer, request.data)
        services.update_dossier(actor=request.user, dossier=dossier, changes=d)
        return Response(_dossier_data(dossier))


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DossierDocumentsView(View):
    @extend_schema(request=FileDocumentSerializer, responses={201: DossierSerializer, **errors(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Đưa một văn bản đến hoặc văn bản đi vào hồ sơ đang lập (409 dossier_not_open nếu hồ sơ đã đóng)."""
        dossier = _dossier(request, pk)
        d = validated(FileDocumentSerializer, request.data)
        incoming = get_incoming_for(request.user, d["incoming"]) if d["incoming"] else None
        outgoing = get_outgoing_for(request.user, d["outgoing"]) if d["outgoing"] else None
        services.file_document(actor=request.user, dossier=dossier, incoming=incoming, outgoing=outgoing)
        return Response(_dossier_data(dossier), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DossierMaterialsView(View):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": MaterialSerializer},
                   responses={201: DossierSerializer, **errors(400, 404, 409)})  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        """Thêm tài liệu khác (tệp kèm tiêu đề) vào hồ sơ đang lập."""
        dossier = _dossier(request, pk)
        d = validated(MaterialSerializer, request.data)
        services.add_material(actor=request.user, dossier=dossier, title=d["title"], name=d["file"].name,
                              data=d["file"], description=d["description"])  # fmt: skip
        return Response(_dossier_data(dossier), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class ItemView(View):
    @extend_schema(request=MoveSerializer, responses={200: DossierSerializer, **errors(400, 404, 409)})
    def patch(self, request: Request, pk: int) -> Response:
        """Chuyển văn bản đến vị trí khác trong hồ sơ đang lập."""
        item = _item(request, pk)
        d = validated(MoveSerializer, request.data)
        services.move_item(actor=request.user, item=item, position=d["position"])
        return Response(_dossier_data(item.dossier))

    @extend_schema(responses={204: None, **errors(404, 409)})
    def delete(self, request: Request, pk: int) -> Response:
        """Bỏ văn bản khỏi hồ sơ đang lập (văn bản vẫn còn nguyên)."""
        services.remove_item(actor=request.user, item=_item(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _dossier_action(serializer: Any, call: Any, summary: str) -> type:
    @extend_schema(tags=TAGS, parameters=[id_parameter()])
    class DossierActionView(View):
        @extend_schema(request=serializer, responses={200: DossierSerializer, **errors(400, 404, 409)},
                       description=summary)  # fmt: skip
        def post(self, request: Request, pk: int) -> Response:
            dossier = _dossier(request, pk)
            call(request.user, dossier, validated(serializer, request.data or {}))
            return Response(_dossier_data(dossier))

    return DossierActionView


DossierCloseView = _dossier_action(EmptySerializer, lambda u, d, _: services.close_dossier(actor=u, dossier=d),
                                   "Đóng hồ sơ (400 dossier_empty nếu chưa có văn bản); hồ sơ thành bất biến.")  # fmt: skip
DossierReopenView = _dossier_action(
    ReasonSerializer, lambda u, d, v: services.reopen_dossier(actor=u, dossier=d, reason=v["reason"]),
    "Lãnh đạo mở lại hồ sơ đã đóng, ghi lý do.",
)
LegalHoldView = _dossier_action(
    LegalHoldSerializer, lambda u, d, v: services.set_legal_hold(actor=u, dossier=d, hold=v["hold"], reason=v["reason"]),
    "Đặt hoặc gỡ phong tỏa pháp lý (chặn mọi việc tiêu hủy), ghi lý do.",
)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class DossierContentsView(View):
    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY), **errors(404)})
    def get(self, request: Request, pk: int) -> FileResponse:
        """Mục lục văn bản trong hồ sơ (PDF để in)."""
        import io

        from vanban.records.printing import contents_pdf

        dossier = _dossier(request, pk)
        return FileResponse(io.BytesIO(contents_pdf(dossier)), as_attachment=True,
                            filename=f"muc-luc-{dossier.notation}.pdf", content_type="application/pdf")  # fmt: skip


class RetentionReportView(View):
    @extend_schema(tags=TAGS, responses={200: RetentionRowSerializer(many=True), **errors()})
    def get(self, request: Request) -> Response:
        """Hồ sơ đã đóng: thời hạn bảo quản, hạn nộp lưu, hạn thẩm định, phong tỏa."""
        return Response(RetentionRowSerializer(selectors.retention_report(request.user)[:2000], many=True).data)


# --- Transfers and the archive --------------------------------------------------------------


class TransferListView(View):
    @extend_schema(tags=TAGS, responses={200: TransferSerializer(many=True), **errors()})
    def get(self, request: Request) -> Response:
        """Danh sách nộp lưu bạn được xem."""
        return Response(TransferSerializer(selectors.transfers_visible_to(request.user)[:200], many=True).data)

    @extend_schema(tags=TAGS, request=TransferCreateSerializer, responses={201: TransferSerializer, **errors(400, 404, 409)})
    def post(self, request: Request) -> Response:
        """Lập danh sách hồ sơ đã đóng để nộp lưu."""
        d = validated(TransferCreateSerializer, request.data)
        dossiers = [_dossier(request, pk) for pk in dict.fromkeys(d["dossiers"])]
        transfer = services.create_transfer(actor=request.user, title=d["title"], dossiers=dossiers)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class TransferDetailView(View):
    @extend_schema(responses={200: TransferSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Một danh sách nộp lưu."""
        return Response(TransferSerializer(_transfer(request, pk)).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class TransferApproveView(View):
    @extend_schema(request=EmptySerializer, responses={200: TransferSerializer, **errors(404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Lãnh đạo duyệt danh sách nộp lưu."""
        transfer = services.approve_transfer(actor=request.user, transfer=_transfer(request, pk))
        return Response(TransferSerializer(transfer).data)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class TransferExportView(View):
    @extend_schema(request=EmptySerializer, responses={202: JobSerializer, **errors(404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Xuất gói nộp lưu (tác vụ nền; theo dõi ở /api/v1/jobs/{id}). Xong thì hồ sơ chuyển «đã nộp lưu»."""
        job = services.start_export(actor=request.user, transfer=_transfer(request, pk))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=TAGS, parameters=[id_parameter()])
class TransferPackageView(View):
    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY), **errors(404)})
    def get(self, request: Request, pk: int) -> FileResponse:
        """Tải gói nộp lưu đã xuất."""
        transfer = _transfer(request, pk)
        if not transfer.package_path:
            raise Http404
        return FileResponse(default_storage.open(transfer.package_path, "rb"), as_attachment=True,
                            filename=f"goi-nop-luu-{transfer.pk}.zip", content_type="application/zip")  # fmt: skip


def _with_upload(request: Request, call: Any) -> Any:
    d = validated(PackageUploadSerializer, request.data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "package.zip"
        with open(path, "wb") as out:
            for chunk in d["package"].chunks():
                out.write(chunk)
        return call(path)


class PackageVerifyView(View):
    parser_classes = [MultiPartParser]

    @extend_schema(tags=TAGS, request={"multipart/form-data": PackageUploadSerializer},
                   responses={200: PackageReportSerializer, **errors(400)})  # fmt: skip
    def post(self, request: Request) -> Response:
        """Kiểm tra toàn vẹn gói nộp lưu (400 với tên tệp bị sửa, thiếu hoặc thừa)."""
        report = _with_upload(request, package.verify_package)
        return Response(PackageReportSerializer.of(report))


class ArchiveImportView(View):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(tags=TAGS, request={"multipart/form-data": PackageUploadSerializer},
                   responses={201: DossierSummarySerializer(many=True), **errors(400, 409)})  # fmt: skip
    def post(self, request: Request) -> Response:
        """Văn thư Bộ tiếp nhận gói nộp lưu vào lưu trữ cơ quan (hồ sơ chỉ đọc)."""
        dossiers = _with_upload(request, lambda p: package.import_package(actor=request.user, path=p))
        return Response(DossierSummarySerializer(dossiers, many=True).data, status=status.HTTP_201_CREATED)
