"""Accounts, their appointments and role grants on the wire."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanban.accounts.models import User
from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.organisation.models import Appointment, Position, RoleGrant, Unit
from vanban.organisation.roles import Role

# --- Output ----------------------------------------------------------------------


class AppointmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")
    position_name = serializers.CharField(source="position.name")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "user",
            "unit",
            "unit_name",
            "position",
            "position_name",
            "is_primary",
            "start_date",
            "end_date",
        ]


class RoleGrantSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    unit_name = serializers.CharField(source="unit.name", allow_null=True, default=None)

    class Meta:
        model = RoleGrant
        fields = ["id", "user", "role", "role_label", "unit", "unit_name", "granted_by", "granted_at"]


class AccountSerializer(serializers.ModelSerializer):
    """Lists prefetch `current_appointments` and `grants`, annotate `has_totp`, and
    pass the set of locked usernames in the context: one query each, not one per row."""

    appointments = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    two_factor_enabled = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField(help_text="Bị khóa do đăng nhập sai nhiều lần")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "phone",
            "is_active",
            "deactivated_at",
            "must_change_password",
            "last_login",
            "date_joined",
            "two_factor_enabled",
            "locked",
            "appointments",
            "roles",
        ]

    @extend_schema_field(AppointmentSerializer(many=True))
    def get_appointments(self, user: User) -> list[dict[str, Any]]:
        appointments = getattr(user, "current_appointments", None)
        if appointments is None:
            appointments = Appointment.objects.filter(user=user, end_date__isnull=True).select_related(
                "unit", "position"
            )
        return AppointmentSerializer(appointments, many=True).data  # type: ignore[return-value]

    @extend_schema_field(RoleGrantSerializer(many=True))
    def get_roles(self, user: User) -> list[dict[str, Any]]:
        grants = getattr(user, "grants", None)
        if grants is None:
            grants = RoleGrant.objects.filter(user=user).select_related("unit")
        return RoleGrantSerializer(grants, many=True).data  # type: ignore[return-value]

    def get_two_factor_enabled(self, user: User) -> bool:
        has = getattr(user, "has_totp", None)
        if has is None:
            from vanban.accounts.services import confirmed_totp

            has = confirmed_totp(user) is not None
        return bool(has)

    def get_locked(self, user: User) -> bool:
        locked = self.context.get("locked_usernames")
        if locked is None:
            from vanban.accounts.services import is_locked

            return is_locked(user)
        return user.username.lower() in locked


class AccountCreatedSerializer(AccountSerializer):
    initial_password = serializers.CharField(help_text="Mật khẩu ban đầu: chỉ hiển thị một lần")

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "initial_password"]


class NewPasswordSerializer(serializers.Serializer):
    password = serializers.CharField(help_text="Mật khẩu mới: chỉ hiển thị một lần")


# --- Input -----------------------------------------------------------------------


class AccountFilterSerializer(QuerySerializer):
    unit = bounded_id(required=False, help_text="Người đang công tác ở đơn vị này hoặc đơn vị cấp dưới")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    status = serializers.ChoiceField(
        choices=[("active", "Đang hoạt động"), ("inactive", "Đã vô hiệu hóa"), ("locked", "Bị khóa")],
        required=False,
    )
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Tìm trong tên đăng nhập, họ tên, thư điện tử"
    )


class AccountCreateSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=100)
    # Checked by the service, which gives the stable code invalid_email.
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Bỏ trống để hệ thống tự tạo",
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Bắt buộc với quản trị đơn vị",
    )
    position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(), required=False, allow_null=True, default=None, help_text="Chức vụ tại đơn vị"
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, default=list, max_length=len(Role.choices)
    )
    must_change_password = serializers.BooleanField(required=False, default=True)


class AccountUpdateSerializer(StrictSerializer):
    full_name = serializers.CharField(max_length=100, required=False)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class DeactivateSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResetPasswordSerializer(StrictSerializer):
    new_password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Bỏ trống để hệ thống tự tạo",
    )


class AppointmentCreateSerializer(StrictSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    is_primary = serializers.BooleanField(required=False, default=True)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class AppointmentEndSerializer(StrictSerializer):
    end_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="Mặc định hôm nay")


class RoleGrantCreateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Bắt buộc với vai trò gắn với đơn vị",
    )
