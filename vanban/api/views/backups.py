"""Sao lưu in the API (system administrators): the list of backups and starting one
as a background job."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import errors
from vanban.api.serializers.jobs import JobSerializer
from vanban.api.views.base import JsonView
from vanban.backup import jobs, services
from vanban.organisation.permissions import has_role
from vanban.organisation.roles import Role


class IsSystemAdmin(BasePermission):
    message = "Chỉ quản trị hệ thống mới được sao lưu."

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_role(request.user, Role.SYSTEM_ADMIN)


class BackupSerializer(serializers.Serializer):
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    engine = serializers.CharField(help_text="CSDL nguồn: sqlite hoặc postgresql")
    rows = serializers.IntegerField()
    files = serializers.IntegerField()
    size = serializers.IntegerField(help_text="byte")


class BackupListView(JsonView):
    permission_classes = [IsAuthenticated, TokenScopes, IsSystemAdmin]
    required_scope = "admin"

    @extend_schema(tags=["backup"], responses={200: BackupSerializer(many=True), **errors()})
    def get(self, request: Request) -> Response:
        """Các bản sao lưu hiện có, mới nhất trước."""
        return Response(BackupSerializer(services.list_backups(), many=True).data)

    @extend_schema(tags=["backup"], request=None,
                   responses={202: OpenApiResponse(JobSerializer, description="Đã xếp hàng tác vụ sao lưu."),
                              **errors()})
    def post(self, request: Request) -> Response:
        """Sao lưu ngay bằng tác vụ nền; theo dõi tiến độ tại /jobs/{id}."""
        job = jobs.start_backup(actor=request.user)
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
