"""API tokens, the two-factor policy, and the person's own password and sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from vanban.accounts import services as accounts
from vanban.accounts.models import ApiToken, ApiTokenUse, TwoFactorPolicy
from vanban.api.permissions import TokenScopes
from vanban.api.serializers.common import EmptySerializer, errors, id_parameter
from vanban.api.serializers.security import (
    PasswordChangeSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenFilterSerializer,
    TokenSerializer,
    TokenUseSerializer,
    TwoFactorPolicySerializer,
    TwoFactorPolicyUpdateSerializer,
)
from vanban.api.views.base import AdminMixin, JsonListView, JsonView, get_or_404, query_params, validated
from vanban.organisation.roles import Role

# --- Tokens ----------------------------------------------------------------------


def _visible_tokens(user: Any) -> QuerySet[ApiToken]:
    return accounts.tokens_visible_to(user).select_related("user")


def _require_token_scopes(request: Request, needed: set[str]) -> None:
    """A token can only mint what it holds itself: otherwise a read-only token could
    create an admin one and escalate."""
    token = request.auth
    if isinstance(token, ApiToken) and not needed <= set(token.scopes):
        raise exceptions.PermissionDenied(TokenScopes.message)


class TokenListView(JsonListView):
    serializer_class = TokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        filters = query_params(TokenFilterSerializer, self.request)
        tokens = _visible_tokens(self.request.user)
        if "user" in filters:
            tokens = tokens.filter(user_id=filters["user"])
        now = timezone.now()
        match filters.get("status"):
            case "valid":
                tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=now)
            case "expired":
                tokens = tokens.filter(revoked_at__isnull=True, expires_at__lte=now)
            case "revoked":
                tokens = tokens.filter(revoked_at__isnull=False)
        return tokens.order_by("-created_at", "-pk")

    @extend_schema(
        tags=["tokens"],
        parameters=[TokenFilterSerializer],
        responses={200: TokenSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mã truy cập của bạn, và (với quản trị viên) của người bạn quản lý."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["tokens"], request=TokenCreateSerializer, responses={201: TokenCreatedSerializer, **errors(400)}
    )
    def post(self, request: Request) -> Response:
        """Tạo mã truy cập cá nhân, hoặc (quản trị viên) cho phần mềm đơn vị hay cho
        người mình quản lý. Mã đầy đủ chỉ có trong phản hồi này."""
        data = validated(TokenCreateSerializer, request.data)
        holder = data["user"] or request.user
        needed = set(data["scopes"])
        if holder.pk != request.user.pk or data["kind"] == ApiToken.Kind.SOFTWARE:
            needed.add("admin")
        _require_token_scopes(request, needed)
        token, secret = accounts.create_api_token(
            actor=request.user,
            user=holder,
            name=data["name"],
            scopes=data["scopes"],
            kind=data["kind"],
            expires_at=timezone.now() + dt.timedelta(days=data["expires_in_days"]),
        )
        token.token = secret  # type: ignore[attr-defined]
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["tokens"], parameters=[id_parameter()])
class TokenRevokeView(JsonView):
    @extend_schema(request=EmptySerializer, responses={200: TokenSerializer, **errors(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """Thu hồi ngay: yêu cầu tiếp theo dùng mã này bị từ chối (401 token_revoked)."""
        token = get_or_404(_visible_tokens(request.user), pk)
        validated(EmptySerializer, request.data)
        token = accounts.revoke_api_token(actor=request.user, token=token)
        return Response(TokenSerializer(token).data)


@extend_schema(tags=["tokens"], parameters=[id_parameter()])
class TokenUseListView(JsonListView):
    serializer_class = TokenUseSerializer

    def get_queryset(self) -> QuerySet[ApiTokenUse]:
        token = get_or_404(_visible_tokens(self.request.user), self.kwargs["pk"])
        return ApiTokenUse.objects.filter(token=token).order_by("-used_at", "-pk")

    @extend_schema(responses={200: TokenUseSerializer(many=True), **errors(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Nhật ký sử dụng mã truy cập: thời điểm, yêu cầu, địa chỉ IP."""
        return super().get(request, *args, **kwargs)


# --- Two-factor policy -----------------------------------------------------------


def _policy_rows() -> list[dict[str, Any]]:
    stored = {p.role: p for p in TwoFactorPolicy.objects.all()}
    rows = []
    for role, label in Role.choices:
        policy = stored.get(role)
        rows.append(
            {
                "role": role,
                "role_label": label,
                "required": bool(policy and policy.required),
                "updated_at": policy.updated_at if policy else None,
            }
        )
    return rows


@extend_schema(tags=["security"])
class TwoFactorPolicyView(AdminMixin, JsonView):
    @extend_schema(responses={200: TwoFactorPolicySerializer(many=True), **errors()})
    def get(self, request: Request) -> Response:
        """Chính sách xác thực hai lớp theo từng vai trò."""
        return Response(TwoFactorPolicySerializer(_policy_rows(), many=True).data)


@extend_schema(
    tags=["security"],
    parameters=[
        OpenApiParameter("role", str, OpenApiParameter.PATH, enum=Role.values, description="Mã vai trò"),
    ],
)
class TwoFactorPolicyRoleView(AdminMixin, JsonView):
    @extend_schema(request=TwoFactorPolicyUpdateSerializer, responses={200: TwoFactorPolicySerializer, **errors(400)})
    def put(self, request: Request, role: str) -> Response:
        """Bắt buộc (hoặc bỏ bắt buộc) xác thực hai lớp với một vai trò (quản trị hệ thống)."""
        data = validated(TwoFactorPolicyUpdateSerializer, request.data)
        accounts.set_two_factor_policy(actor=request.user, role=role, required=data["required"])
        row = next(r for r in _policy_rows() if r["role"] == role)
        return Response(TwoFactorPolicySerializer(row).data)


# --- The person's own credentials --------------------------------------------------


@extend_schema(tags=["me"])
class MePasswordView(JsonView):
    @extend_schema(
        request=PasswordChangeSerializer,
        responses={204: OpenApiResponse(description="Đã đổi mật khẩu."), **errors(400)},
    )
    def post(self, request: Request) -> Response:
        """Đổi mật khẩu của chính bạn (cần mật khẩu hiện tại)."""
        data = validated(PasswordChangeSerializer, request.data)
        user = accounts.change_own_password(
            user=request.user, old_password=data["old_password"], new_password=data["new_password"]
        )
        if not isinstance(request.auth, ApiToken):
            # The session hash includes the password: keep this browser signed in.
            update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"])
class MeLogoutEverywhereView(JsonView):
    @extend_schema(
        request=EmptySerializer,
        responses={204: OpenApiResponse(description="Mọi phiên đăng nhập đã kết thúc."), **errors(400)},
    )
    def post(self, request: Request) -> Response:
        """Đăng xuất khỏi mọi thiết bị và trình duyệt. Mã truy cập API vẫn còn hiệu lực:
        hãy thu hồi riêng."""
        validated(EmptySerializer, request.data)
        accounts.logout_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
