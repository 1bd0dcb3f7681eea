"""Organs, units, positions and delegations. Everyone signed in reads the organisation;
administrators change it within their subtree (404 outside it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.serializers.common import EmptySerializer, errors, id_parameter
from vanban.api.serializers.organisation import (
    DelegationCreateSerializer,
    DelegationFilterSerializer,
    DelegationSerializer,
    NameAtQuerySerializer,
    OrganSerializer,
    PositionCreateSerializer,
    PositionSerializer,
    UnitCreateSerializer,
    UnitDetailSerializer,
    UnitDissolveSerializer,
    UnitFilterSerializer,
    UnitMergeSerializer,
    UnitMoveSerializer,
    UnitNameAtSerializer,
    UnitRenameSerializer,
    UnitSerializer,
)
from vanban.api.views.base import (
    AdminMixin,
    AdminWritesMixin,
    JsonListView,
    JsonView,
    get_or_404,
    query_params,
    validated,
)
from vanban.core.errors import ValidationFailed
from vanban.organisation import selectors
from vanban.organisation import services as org
from vanban.organisation.models import Delegation, Organ, Position, Unit, UnitName
from vanban.organisation.selectors import own_organ

# --- Organs ----------------------------------------------------------------------


@extend_schema(tags=["organisation"], responses={200: OrganSerializer(many=True), **errors(404)})
class OrganListView(JsonListView):
    """Danh mục cơ quan: Bộ và các cơ quan trao đổi văn bản với Bộ."""

    serializer_class = OrganSerializer

    def get_queryset(self) -> QuerySet[Organ]:
        return Organ.objects.order_by("name", "pk")


# --- Units -----------------------------------------------------------------------


def _unit_for_admin(request: Request, pk: int) -> Unit:
    # Only what the caller administers is found: other units are 404 for writes.
    return get_or_404(selectors.units_administered_by(request.user), pk)


def _unit_detail(unit: Unit) -> dict[str, Any]:
    unit = Unit.objects.prefetch_related(Prefetch("names", UnitName.objects.order_by("valid_from", "pk"))).get(
        pk=unit.pk
    )
    return UnitDetailSerializer(unit).data


class UnitListView(AdminWritesMixin, JsonListView):
    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        filters = query_params(UnitFilterSerializer, self.request)
        units = Unit.objects.order_by("path", "pk")
        if "status" in filters:
            units = units.filter(status=filters["status"])
        if "parent" in filters:
            units = units.filter(parent_id=filters["parent"])
        if filters.get("q"):
            units = units.filter(Q(name__icontains=filters["q"]) | Q(short_name__icontains=filters["q"]))
        return units

    @extend_schema(
        tags=["organisation"],
        parameters=[UnitFilterSerializer],
        responses={200: UnitSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Danh sách đơn vị (cả đơn vị đã sáp nhập, giải thể), theo thứ tự cây tổ chức."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["organisation"], request=UnitCreateSerializer, responses={201: UnitDetailSerializer, **errors(400)}
    )
    def post(self, request: Request) -> Response:
        """Tạo đơn vị. Quản trị đơn vị chỉ tạo được trong phạm vi đơn vị mình quản lý."""
        data = validated(UnitCreateSerializer, request.data)
        parent, organ = data["parent"], data["organ"]
        if organ is None:
            organ = parent.organ if parent else own_organ()
            if organ is None:
                raise ValidationFailed("organ_required", "Chưa có cơ quan sử dụng hệ thống: hãy chọn cơ quan.", "organ")
        unit = org.create_unit(
            actor=request.user,
            organ=organ,
            name=data["name"],
            short_name=data["short_name"],
            kind=data["kind"],
            parent=parent,
            established_on=data["established_on"],
            sort_order=data["sort_order"],
        )
        return Response(_unit_detail(unit), status=status.HTTP_201_CREATED)


@extend_schema(tags=["organisation"], parameters=[id_parameter()])
class UnitDetailView(JsonView):
    @extend_schema(responses={200: UnitDetailSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Thông tin đơn vị kèm lịch sử tên gọi."""
        return Response(_unit_detail(get_or_404(Unit.objects.all(), pk)))


@extend_schema(tags=["organisation"], parameters=[id_parameter()])
class UnitNameAtView(JsonView):
    @extend_schema(parameters=[NameAtQuerySerializer], responses={200: UnitNameAtSerializer, **errors(400, 404)})
    def get(self, request: Request, pk: int) -> Response:
        """Tên của đơn vị vào một ngày (văn bản giữ tên đơn vị tại ngày ban hành)."""
        unit = get_or_404(Unit.objects.all(), pk)
        day = query_params(NameAtQuerySerializer, request)["date"]
        return Response(UnitNameAtSerializer({"unit": unit.pk, "date": day, "name": unit.name_at(day)}).data)


@extend_schema(tags=["organisation"], parameters=[id_parameter()])
class UnitRenameView(AdminMixin, JsonView):
    @extend_schema(request=UnitRenameSerializer, responses={200: UnitDetailSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Đổi tên đơn vị từ một ngày; tên cũ vẫn dùng cho các ngày trước đó."""
        unit = _unit_for_admin(request, pk)
        data = validated(UnitRenameSerializer, request.data)
        unit = org.rename_unit(
            actor=request.user,
            unit=unit,
            name=data["name"],
            short_name=data["short_name"],
            effective_on=data["effective_on"],
        )
        return Response(_unit_detail(unit))


@extend_schema(tags=["organisation"], parameters=[id_parameter()])
class UnitMoveView(AdminMixin, JsonView):
    @extend_schema(request=UnitMoveSerializer, responses={200: UnitDetailSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Chuyển đơn vị (cùng các đơn vị trực thuộc) sang đơn vị cấp trên khác."""
        unit = _unit_for_admin(request, pk)
        data = validated(UnitMoveSerializer, request.data)
        unit = org.move_unit(actor=request.user, unit=unit, new_parent=data["parent"])
        return Response(_unit_detail(unit))


@extend_schema(tags=["organisation"], parameters=[id_parameter()])
class UnitMergeView(AdminMixin, JsonView):
    @extend_schema(request=UnitMergeSerializer, responses={200: UnitDetailSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Sáp nhập đơn vị vào đơn vị tiếp nhận; trả về đơn vị tiếp nhận."""
        unit = _unit_for_admin(request, pk)
        data = validated(UnitMergeSerializer, request.data)
        target = org.merge_units(
            actor=request.user, source=unit, target=data["target"], effective_on=data["effective_on"]
        )
        return Response(_unit_detail(target))


@extend_schema(tags=["organisation"], parameters=[id_parameter()])
class UnitDissolveView(AdminMixin, JsonView):
    @extend_schema(request=UnitDissolveSerializer, responses={200: UnitDetailSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Giải thể đơn vị (không còn đơn vị trực thuộc hoạt động, không còn cán bộ)."""
        unit = _unit_for_admin(request, pk)
        data = validated(UnitDissolveSerializer, request.data)
        unit = org.dissolve_unit(actor=request.user, unit=unit, effective_on=data["effective_on"])
        return Response(_unit_detail(unit))


# --- Positions -------------------------------------------------------------------


class PositionListView(AdminWritesMixin, JsonListView):
    serializer_class = PositionSerializer

    def get_queryset(self) -> QuerySet[Position]:
        return Position.objects.order_by("rank", "name", "pk")

    @extend_schema(tags=["organisation"], responses={200: PositionSerializer(many=True), **errors(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Danh mục chức vụ."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["organisation"], request=PositionCreateSerializer, responses={201: PositionSerializer, **errors(400)}
    )
    def post(self, request: Request) -> Response:
        """Thêm chức vụ vào danh mục (quản trị hệ thống)."""
        data = validated(PositionCreateSerializer, request.data)
        position = org.create_position(actor=request.user, **data)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)


# --- Delegations -----------------------------------------------------------------


class DelegationListView(JsonListView):
    serializer_class = DelegationSerializer

    def get_queryset(self) -> QuerySet[Delegation]:
        filters = query_params(DelegationFilterSerializer, self.request)
        return selectors.delegations_visible_to(self.request.user, direction=filters.get("direction")).order_by(
            "-start_date", "-pk"
        )

    @extend_schema(
        tags=["delegations"],
        parameters=[DelegationFilterSerializer],
        responses={200: DelegationSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ủy quyền bạn đã giao, được nhận, và (với quản trị viên) ủy quyền của người bạn quản lý."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["delegations"], request=DelegationCreateSerializer, responses={201: DelegationSerializer, **errors(400)}
    )
    def post(self, request: Request) -> Response:
        """Ủy quyền vai trò của bạn trong một thời hạn; quản trị viên có thể ghi nhận thay cho lãnh đạo."""
        data = validated(DelegationCreateSerializer, request.data)
        principal = data.pop("principal") or request.user
        delegation = org.create_delegation(actor=request.user, principal=principal, **data)
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["delegations"], parameters=[id_parameter()])
class DelegationRevokeView(JsonView):
    @extend_schema(request=EmptySerializer, responses={200: DelegationSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Thu hồi ủy quyền (người ủy quyền hoặc quản trị viên của họ)."""
        delegation = get_or_404(selectors.delegations_visible_to(request.user), pk)
        validated(EmptySerializer, request.data)
        delegation = org.revoke_delegation(actor=request.user, delegation=delegation)
        return Response(DelegationSerializer(delegation).data)
