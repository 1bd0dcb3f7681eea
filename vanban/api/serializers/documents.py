"""Document types and registers on the wire."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer
from vanban.documents.catalogue import TypeGroup
from vanban.documents.models import DocumentType, Register
from vanban.organisation.models import Organ, Unit

# --- Output ----------------------------------------------------------------------


class DocumentTypeSerializer(serializers.ModelSerializer):
    group_label = serializers.CharField(source="get_group_display")
    abbreviation = serializers.CharField(help_text="Chữ viết tắt đúng như quy định (QĐ, TTr, QyĐ); rỗng với Công văn")
    is_forbidden = serializers.BooleanField(help_text="Loại không được đưa vào hệ thống (đơn thư tố cáo)")

    class Meta:
        model = DocumentType
        fields = [
            "id",
            "code",
            "name",
            "abbreviation",
            "group",
            "group_label",
            "is_forbidden",
            "is_builtin",
            "is_active",
            "sort_order",
        ]


def _last_number(register: Register) -> int:
    counter = getattr(register, "counter", None)
    return counter.last_number if counter is not None else 0


class RegisterSerializer(serializers.ModelSerializer):
    organ_name = serializers.CharField(source="organ.name")
    unit_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display")
    last_number = serializers.SerializerMethodField(help_text="Số đã cấp gần nhất (0: chưa cấp số nào)")
    next_number = serializers.SerializerMethodField(help_text="Số sẽ cấp cho văn bản tiếp theo (chưa giữ chỗ)")

    class Meta:
        model = Register
        fields = [
            "id",
            "organ",
            "organ_name",
            "unit",
            "unit_name",
            "kind",
            "kind_label",
            "year",
            "name",
            "is_default",
            "last_number",
            "next_number",
        ]

    def get_unit_name(self, obj: Register) -> str | None:
        return obj.unit.name if obj.unit_id else None

    def get_last_number(self, obj: Register) -> int:
        return _last_number(obj)

    def get_next_number(self, obj: Register) -> int:
        return _last_number(obj) + 1


class NextNumberSerializer(serializers.Serializer):
    register = serializers.IntegerField()
    year = serializers.IntegerField()
    last_number = serializers.IntegerField()
    next_number = serializers.IntegerField(
        help_text="Số sẽ cấp nếu không ai đăng ký trước; số chỉ được cấp khi lưu văn bản"
    )


# --- Input -----------------------------------------------------------------------


class DocumentTypeFilterSerializer(QuerySerializer):
    include_inactive = serializers.BooleanField(required=False, default=False, help_text="Cả loại đã ngừng sử dụng")
    group = serializers.ChoiceField(choices=TypeGroup.choices, required=False, help_text="Nhóm loại văn bản")


class DocumentTypeCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    abbreviation = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", help_text="Viết đúng như quy định, ví dụ TTr"
    )
    group = serializers.ChoiceField(choices=TypeGroup.choices, required=False, default=TypeGroup.ADMINISTRATIVE)
    sort_order = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True, default=None
    )


class RegisterFilterSerializer(QuerySerializer):
    kind = serializers.ChoiceField(choices=Register.Kind.choices, required=False, help_text="Sổ văn bản đến hoặc đi")
    year = serializers.IntegerField(min_value=2000, max_value=9999, required=False, help_text="Năm của sổ")


class RegisterOpenSerializer(StrictSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Đơn vị có văn thư riêng; bỏ trống = sổ của cơ quan",
    )
    organ = serializers.PrimaryKeyRelatedField(
        queryset=Organ.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Cơ quan; mặc định là cơ quan sử dụng hệ thống",
    )
    kind = serializers.ChoiceField(choices=Register.Kind.choices)
    year = serializers.IntegerField(
        min_value=2000, max_value=9999, required=False, allow_null=True, default=None, help_text="Mặc định năm nay"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("unit") is not None
            and attrs.get("organ") is not None
            and attrs["unit"].organ_id != attrs["organ"].pk
        ):
            raise serializers.ValidationError({"unit": "Đơn vị không thuộc cơ quan đã chọn."})
        return attrs
