"""Background jobs as their owner sees them, and the account import's result."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanban.jobs.models import Job


class CreatedAccountSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Số dòng trong tệp (dòng 1 là tiêu đề)")
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    unit = serializers.CharField(help_text="Tên viết tắt của đơn vị")
    position = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    password = serializers.CharField(
        allow_blank=True,
        help_text="Mật khẩu ban đầu do hệ thống tạo; rỗng khi mật khẩu lấy từ tệp hoặc đã được xóa khỏi kết quả",
    )
    password_from_file = serializers.BooleanField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Số dòng trong tệp (dòng 1 là tiêu đề)")
    username = serializers.CharField(allow_blank=True)
    code = serializers.CharField(help_text="Mã lỗi, ví dụ duplicate_username, invalid_email, unknown_unit")
    field = serializers.CharField(allow_blank=True, help_text="Trường gây lỗi (username, email, unit...), nếu có")
    message = serializers.CharField(help_text="Thông báo lỗi tiếng Việt")


class ImportResultSerializer(serializers.Serializer):
    """The result of a finished account import (kind "accounts.import"); empty while the
    job is queued, running or failed."""

    created = CreatedAccountSerializer(many=True, required=False)
    errors = RowErrorSerializer(many=True, required=False)
    created_count = serializers.IntegerField(required=False)
    error_count = serializers.IntegerField(required=False)
    passwords_wiped = serializers.BooleanField(required=False)
    passwords_wiped_at = serializers.DateTimeField(required=False)


@extend_schema_field(ImportResultSerializer)
class JobResultField(serializers.JSONField):
    pass


class JobSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(
        choices=Job.State.choices, read_only=True, help_text="queued, running, succeeded, failed"
    )
    state_label = serializers.CharField(
        source="get_state_display", read_only=True, help_text="Trạng thái bằng tiếng Việt"
    )
    percent = serializers.IntegerField(read_only=True, min_value=0, max_value=100, help_text="Tiến độ, 0–100")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "state",
            "state_label",
            "done",
            "total",
            "percent",
            "input_name",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobDetailSerializer(JobSerializer):
    result = JobResultField(
        read_only=True, help_text="Kết quả của tác vụ khi đã hoàn thành; với nhập tài khoản: xem ImportResult"
    )

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "result"]
        read_only_fields = fields


class AccountImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Tệp .xlsx hoặc .csv (UTF-8); dòng đầu là tiêu đề: Tên đăng nhập, Họ và tên, Thư điện tử, "
        "Điện thoại, Đơn vị, Chức vụ, Vai trò",
        allow_empty_file=True,
    )
