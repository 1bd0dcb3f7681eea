"""Organs, units, positions and delegations on the wire."""

from __future__ import annotations

from rest_framework import serializers

from vanban.accounts.models import User
from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.core.timeutil import today
from vanban.organisation.models import Delegation, Organ, Position, Unit, UnitName
from vanban.organisation.roles import Role, SigningAuthority

# --- Output ----------------------------------------------------------------------


class OrganSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organ
        fields = ["id", "organ_id", "name", "short_name", "address", "email", "telephone", "website", "is_own"]


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    depth = serializers.IntegerField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "organ",
            "parent",
            "path",
            "depth",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "merged_into",
            "established_on",
            "ended_on",
            "sort_order",
        ]


class UnitNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitName
        fields = ["name", "short_name", "valid_from", "valid_to"]


class UnitDetailSerializer(UnitSerializer):
    names = UnitNameSerializer(many=True, help_text="Lịch sử tên gọi, cũ trước mới sau")

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "names"]


class UnitNameAtSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    date = serializers.DateField()
    name = serializers.CharField(help_text="Tên của đơn vị có hiệu lực vào ngày này")


class PositionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")

    class Meta:
        model = Position
        fields = ["id", "code", "name", "level", "level_label", "is_leader", "rank"]


class DelegationSerializer(serializers.ModelSerializer):
    principal_name = serializers.CharField(source="principal.full_name")
    delegate_name = serializers.CharField(source="delegate.full_name")
    authority_label = serializers.CharField(source="get_authority_display")
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        help_text="Vai trò được ủy quyền; rỗng = mọi vai trò của người ủy quyền",
    )
    is_in_effect = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = [
            "id",
            "principal",
            "principal_name",
            "delegate",
            "delegate_name",
            "authority",
            "authority_label",
            "roles",
            "start_date",
            "end_date",
            "reason",
            "created_by",
            "created_at",
            "revoked_at",
            "is_in_effect",
        ]

    def get_is_in_effect(self, obj: Delegation) -> bool:
        return obj.revoked_at is None and obj.start_date <= today() <= obj.end_date


# --- Input -----------------------------------------------------------------------


class UnitFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=Unit.Status.choices, required=False, help_text="Trạng thái đơn vị")
    parent = bounded_id(required=False, help_text="Chỉ các đơn vị trực thuộc trực tiếp đơn vị này")
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Tìm trong tên và tên viết tắt"
    )


class UnitCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False, default=Unit.Kind.KHAC)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Đơn vị cấp trên; bỏ trống = cấp Bộ",
    )
    organ = serializers.PrimaryKeyRelatedField(
        queryset=Organ.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Mặc định: cơ quan của đơn vị cấp trên, hoặc cơ quan sử dụng hệ thống",
    )
    established_on = serializers.DateField(required=False, allow_null=True, default=None)
    sort_order = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False, default=0)


class UnitRenameSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Bỏ trống = giữ tên viết tắt hiện tại",
    )
    effective_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Ngày tên mới có hiệu lực; mặc định hôm nay"
    )


class UnitMoveSerializer(StrictSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), allow_null=True, help_text="Đơn vị cấp trên mới; null = chuyển lên cấp Bộ"
    )


class UnitMergeSerializer(StrictSerializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="Đơn vị tiếp nhận")
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)


class UnitDissolveSerializer(StrictSerializer):
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)


class NameAtQuerySerializer(QuerySerializer):
    date = serializers.DateField(help_text="Ngày cần tra, dạng YYYY-MM-DD")


class PositionCreateSerializer(StrictSerializer):
    code = serializers.SlugField(max_length=40, help_text="Mã chức vụ, ví dụ pho-vu-truong")
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Position.Level.choices, required=False, default=Position.Level.UNIT)
    is_leader = serializers.BooleanField(required=False, default=False)
    rank = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, default=100, help_text="Thứ tự sắp xếp: số nhỏ đứng trước"
    )


class DelegationFilterSerializer(QuerySerializer):
    direction = serializers.ChoiceField(
        choices=[("given", "Tôi ủy quyền"), ("received", "Tôi được ủy quyền"), ("administered", "Do tôi quản trị")],
        required=False,
        help_text="Bỏ trống = mọi ủy quyền bạn được xem",
    )


class DelegationCreateSerializer(StrictSerializer):
    principal = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Người ủy quyền; mặc định là chính bạn (quản trị viên có thể ghi nhận thay)",
    )
    # Anyone in the ministry may receive a delegation; the service checks the rights.
    delegate = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text="Người nhận ủy quyền")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    authority = serializers.ChoiceField(
        choices=SigningAuthority.choices, required=False, default=SigningAuthority.UY_QUYEN
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        required=False,
        default=list,
        max_length=len(Role.choices),
        help_text="Rỗng = mọi vai trò của người ủy quyền",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
