"""API tokens, the two-factor policy and the person's own credentials on the wire."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from vanban.accounts.models import ApiToken, ApiTokenUse, User
from vanban.accounts.services import MAX_TOKEN_DAYS, TOKEN_SCOPES
from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.organisation.roles import Role

# Values only, as in /auth/token, so the schema has one TokenScopeEnum.
SCOPE_CHOICES = list(TOKEN_SCOPES)
SCOPES_HELP = "Phạm vi quyền: " + "; ".join(f"{code} – {label}" for code, label in TOKEN_SCOPES.items())
TOKEN_STATUS_CHOICES = [("valid", "Đang hiệu lực"), ("expired", "Đã hết hạn"), ("revoked", "Đã thu hồi")]

# --- Output ----------------------------------------------------------------------


class TokenSerializer(serializers.ModelSerializer):
    user_username = serializers.CharField(source="user.username")
    user_full_name = serializers.CharField(source="user.full_name")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_CHOICES), help_text=SCOPES_HELP)
    status = serializers.SerializerMethodField()
    status_label = serializers.CharField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "kind",
            "user",
            "user_username",
            "user_full_name",
            "prefix",
            "scopes",
            "created_at",
            "created_by",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "use_count",
            "status",
            "status_label",
        ]

    def get_status(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return "revoked"
        return "valid" if token.expires_at > timezone.now() else "expired"


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="Mã truy cập đầy đủ: chỉ hiển thị một lần, hệ thống không lưu lại")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class TokenUseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiTokenUse
        fields = ["id", "used_at", "method", "path", "ip_address"]


class TwoFactorPolicySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField()
    required = serializers.BooleanField()
    updated_at = serializers.DateTimeField(allow_null=True)


# --- Input -----------------------------------------------------------------------


class TokenFilterSerializer(QuerySerializer):
    user = bounded_id(required=False, help_text="Chỉ mã truy cập của người này")
    status = serializers.ChoiceField(choices=TOKEN_STATUS_CHOICES, required=False)


class TokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, help_text="Dùng vào việc gì, ví dụ «Phần mềm QLVB Cục Điện lực»")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_CHOICES),
        min_length=1,
        max_length=len(SCOPE_CHOICES),
        help_text=SCOPES_HELP,
    )
    expires_in_days = serializers.IntegerField(min_value=1, max_value=MAX_TOKEN_DAYS, required=False, default=90)
    kind = serializers.ChoiceField(
        choices=ApiToken.Kind.choices,
        required=False,
        default=ApiToken.Kind.PERSONAL,
        help_text="software: mã cho phần mềm của đơn vị, do quản trị viên cấp",
    )
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Người giữ mã; mặc định là chính bạn",
    )


class TwoFactorPolicyUpdateSerializer(StrictSerializer):
    required = serializers.BooleanField(help_text="Bắt buộc xác thực hai lớp với mọi người giữ vai trò này")


class PasswordChangeSerializer(StrictSerializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)
