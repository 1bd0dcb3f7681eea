"""Building blocks the API areas share: JSON-only views, the administrator gate, and
lookups that answer 404 for what the caller may not see."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import generics
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import MAX_ID
from vanban.organisation.permissions import is_admin

M = TypeVar("M", bound=Model)

ADMIN_ONLY_MESSAGE = "Chỉ quản trị hệ thống hoặc quản trị đơn vị mới được thực hiện thao tác này."


class IsAdministrator(BasePermission):
    """Admin endpoints are refused outright (403) to people holding no admin role; which
    objects an administrator reaches is then decided by the selectors (404 outside)."""

    message = ADMIN_ONLY_MESSAGE

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS and not getattr(view, "admin_reads", True):
            return True
        return is_admin(request.user)


class JsonView(APIView):
    # JSON only: one body format to document, validate and fuzz.
    parser_classes = [JSONParser]


class JsonListView(generics.ListAPIView):
    parser_classes = [JSONParser]


class AdminMixin:
    """Every method needs an admin role and, for tokens, the "admin" scope."""

    required_scope = "admin"
    permission_classes = [IsAuthenticated, TokenScopes, IsAdministrator]


class AdminWritesMixin:
    """Anyone signed in reads; writing needs an admin role and the "admin" scope."""

    admin_reads = False
    permission_classes = [IsAuthenticated, TokenScopes, IsAdministrator]
    request: Request

    @property
    def required_scope(self) -> str | None:
        return None if self.request.method in SAFE_METHODS else "admin"


def get_or_404(queryset: QuerySet[M], pk: Any) -> M:
    """The object when the caller's queryset holds it; otherwise 404, never 403, so
    nobody learns what exists outside their reach."""
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def validated(serializer_class: type[Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def query_params(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    return validated(serializer_class, request.query_params)
