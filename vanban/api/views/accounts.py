"""Account administration. Administrators only (403 for others, and for tokens without
the "admin" scope); an account outside the caller's units is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Lower
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.accounts import services as accounts
from vanban.accounts.models import User
from vanban.accounts.selectors import search_people
from vanban.api.serializers.accounts import (
    AccountCreatedSerializer,
    AccountCreateSerializer,
    AccountFilterSerializer,
    AccountSerializer,
    AccountUpdateSerializer,
    AppointmentCreateSerializer,
    AppointmentEndSerializer,
    AppointmentSerializer,
    DeactivateSerializer,
    NewPasswordSerializer,
    ResetPasswordSerializer,
    RoleGrantCreateSerializer,
    RoleGrantSerializer,
)
from vanban.api.serializers.common import EmptySerializer, errors, id_parameter
from vanban.api.views.base import AdminMixin, JsonListView, JsonView, get_or_404, query_params, validated
from vanban.core.errors import ValidationFailed
from vanban.organisation import services as org
from vanban.organisation.models import Appointment, RoleGrant, Unit
from vanban.organisation.selectors import users_administered_by as administered


def with_details(users: QuerySet[User]) -> QuerySet[User]:
    """What AccountSerializer shows, fetched in a fixed number of queries."""
    return users.annotate(
        has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).prefetch_related(
        Prefetch(
            "appointments",
            queryset=Appointment.objects.filter(end_date__isnull=True)
            .select_related("unit", "position")
            .order_by("-is_primary", "position__rank", "pk"),
            to_attr="current_appointments",
        ),
        Prefetch(
            "role_grants", queryset=RoleGrant.objects.select_related("unit").order_by("role", "pk"), to_attr="grants"
        ),
    )


def account_data(actor: Any, pk: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    user = get_or_404(with_details(administered(actor)), pk)
    if extra:
        for key, value in extra.items():
            setattr(user, key, value)
        return AccountCreatedSerializer(user).data
    return AccountSerializer(user).data


class AccountListView(AdminMixin, JsonListView):
    serializer_class = AccountSerializer

    def get_queryset(self) -> QuerySet[User]:
        filters = query_params(AccountFilterSerializer, self.request)
        users = administered(self.request.user)
        if "unit" in filters:
            path = Unit.objects.filter(pk=filters["unit"]).values_list("path", flat=True).first()
            if path is None:
                return users.none()
            users = users.filter(
                pk__in=Appointment.objects.filter(end_date__isnull=True, unit__path__startswith=path).values("user_id")
            )
        if "role" in filters:
            users = users.filter(pk__in=RoleGrant.objects.filter(role=filters["role"]).values("user_id"))
        match filters.get("status"):
            case "active":
                users = users.filter(is_active=True)
            case "inactive":
                users = users.filter(is_active=False)
            case "locked":
                users = users.annotate(username_lower=Lower("username")).filter(username_lower__in=self._locked())
        if filters.get("q"):
            users = search_people(users, filters["q"])
        return with_details(users).order_by("full_name", "username", "pk")

    def _locked(self) -> set[str]:
        if not hasattr(self, "_locked_usernames"):
            self._locked_usernames = accounts.locked_usernames()
        return self._locked_usernames

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "locked_usernames": self._locked()}

    @extend_schema(
        tags=["accounts"],
        parameters=[AccountFilterSerializer],
        responses={200: AccountSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Danh sách tài khoản trong phạm vi bạn quản lý."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["accounts"], request=AccountCreateSerializer, responses={201: AccountCreatedSerializer, **errors(400)}
    )
    def post(self, request: Request) -> Response:
        """Tạo tài khoản; phản hồi chứa mật khẩu ban đầu, chỉ hiển thị một lần."""
        data = validated(AccountCreateSerializer, request.data)
        # A unit administrator only sees people appointed in their units: an account
        # created with a unit but no position would vanish from their view at once.
        if data["unit"] is not None and data["position"] is None:
            raise ValidationFailed("position_required", "Vui lòng chọn chức vụ tại đơn vị.", "position")
        if data["position"] is not None and data["unit"] is None:
            raise ValidationFailed("unit_required", "Vui lòng chọn đơn vị cho chức vụ.", "unit")
        user, password = accounts.create_account(
            actor=request.user,
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            password=data["password"] or None,
            unit=data["unit"],
            position=data["position"],
            roles=data["roles"],
            must_change_password=data["must_change_password"],
        )
        body = account_data(request.user, user.pk, {"initial_password": password})
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountDetailView(AdminMixin, JsonView):
    @extend_schema(responses={200: AccountSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Thông tin tài khoản, chức vụ hiện tại và vai trò."""
        return Response(account_data(request.user, pk))

    @extend_schema(request=AccountUpdateSerializer, responses={200: AccountSerializer, **errors(400, 404)})
    def patch(self, request: Request, pk: int) -> Response:
        """Sửa họ tên, thư điện tử, điện thoại; trường không gửi giữ nguyên giá trị."""
        user = get_or_404(administered(request.user), pk)
        data = validated(AccountUpdateSerializer, request.data)
        accounts.update_account(
            actor=request.user,
            user=user,
            full_name=data.get("full_name", user.full_name),
            email=data.get("email", user.email),
            phone=data.get("phone", user.phone),
        )
        return Response(account_data(request.user, pk))


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountDeactivateView(AdminMixin, JsonView):
    @extend_schema(request=DeactivateSerializer, responses={200: AccountSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Vô hiệu hóa tài khoản: không đăng nhập được nữa, mọi phiên kết thúc ngay."""
        user = get_or_404(administered(request.user), pk)
        data = validated(DeactivateSerializer, request.data)
        accounts.deactivate_account(actor=request.user, user=user, reason=data["reason"])
        return Response(account_data(request.user, pk))


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountReactivateView(AdminMixin, JsonView):
    @extend_schema(request=EmptySerializer, responses={200: AccountSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Kích hoạt lại tài khoản đã bị vô hiệu hóa."""
        user = get_or_404(administered(request.user), pk)
        validated(EmptySerializer, request.data)
        accounts.reactivate_account(actor=request.user, user=user)
        return Response(account_data(request.user, pk))


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountResetPasswordView(AdminMixin, JsonView):
    @extend_schema(request=ResetPasswordSerializer, responses={200: NewPasswordSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Đặt lại mật khẩu (tự tạo nếu không gửi), chỉ hiển thị một lần; người dùng
        phải đổi mật khẩu ở lần đăng nhập sau, mọi phiên kết thúc."""
        user = get_or_404(administered(request.user), pk)
        data = validated(ResetPasswordSerializer, request.data)
        password = accounts.reset_password(actor=request.user, user=user, new_password=data["new_password"] or None)
        return Response(NewPasswordSerializer({"password": password}).data)


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountUnlockView(AdminMixin, JsonView):
    @extend_schema(request=EmptySerializer, responses={200: AccountSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Mở khóa tài khoản bị khóa do đăng nhập sai nhiều lần."""
        user = get_or_404(administered(request.user), pk)
        validated(EmptySerializer, request.data)
        accounts.unlock_account(actor=request.user, user=user)
        return Response(account_data(request.user, pk))


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountDisableTwoFactorView(AdminMixin, JsonView):
    @extend_schema(request=EmptySerializer, responses={200: AccountSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Tắt xác thực hai lớp (ví dụ khi mất điện thoại) để người dùng thiết lập lại."""
        user = get_or_404(administered(request.user), pk)
        validated(EmptySerializer, request.data)
        accounts.disable_totp(actor=request.user, user=user)
        return Response(account_data(request.user, pk))


# --- Appointments ----------------------------------------------------------------


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountAppointmentsView(AdminMixin, JsonView):
    @extend_schema(responses={200: AppointmentSerializer(many=True), **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Các chức vụ người này đang và đã giữ, mới nhất trước."""
        user = get_or_404(administered(request.user), pk)
        appointments = (
            Appointment.objects.filter(user=user)
            .select_related("unit", "position")
            .order_by("end_date", "-start_date", "-pk")
        )
        return Response(AppointmentSerializer(appointments, many=True).data)

    @extend_schema(request=AppointmentCreateSerializer, responses={201: AppointmentSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Bổ nhiệm chức vụ tại một đơn vị (nhiều chức vụ = kiêm nhiệm)."""
        user = get_or_404(administered(request.user), pk)
        data = validated(AppointmentCreateSerializer, request.data)
        appointment = org.appoint(
            actor=request.user,
            user=user,
            unit=data["unit"],
            position=data["position"],
            is_primary=data["is_primary"],
            start_date=data["start_date"],
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AppointmentEndView(AdminMixin, JsonView):
    @extend_schema(request=AppointmentEndSerializer, responses={200: AppointmentSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Kết thúc chức vụ (mặc định từ hôm nay)."""
        appointment = get_or_404(Appointment.objects.filter(user__in=administered(request.user).values("pk")), pk)
        data = validated(AppointmentEndSerializer, request.data)
        appointment = org.end_appointment(actor=request.user, appointment=appointment, end_date=data["end_date"])
        return Response(AppointmentSerializer(appointment).data)


# --- Roles -----------------------------------------------------------------------


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class AccountRolesView(AdminMixin, JsonView):
    @extend_schema(responses={200: RoleGrantSerializer(many=True), **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        """Các vai trò được cấp cho tài khoản."""
        user = get_or_404(administered(request.user), pk)
        grants = RoleGrant.objects.filter(user=user).select_related("unit").order_by("role", "pk")
        return Response(RoleGrantSerializer(grants, many=True).data)

    @extend_schema(request=RoleGrantCreateSerializer, responses={201: RoleGrantSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Cấp vai trò; vai trò gắn với đơn vị áp dụng cho đơn vị đó và các đơn vị cấp dưới."""
        user = get_or_404(administered(request.user), pk)
        data = validated(RoleGrantCreateSerializer, request.data)
        grant = org.grant_role(actor=request.user, user=user, role=data["role"], unit=data["unit"])
        return Response(RoleGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["accounts"], parameters=[id_parameter()])
class RoleGrantDetailView(AdminMixin, JsonView):
    @extend_schema(responses={204: OpenApiResponse(description="Đã thu hồi vai trò."), **errors(400, 404)})
    def delete(self, request: Request, pk: int) -> Response:
        """Thu hồi một vai trò đã cấp."""
        grant = get_or_404(RoleGrant.objects.filter(user__in=administered(request.user).values("pk")), pk)
        org.revoke_role(actor=request.user, grant=grant)
        return Response(status=status.HTTP_204_NO_CONTENT)
