from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vanban.core import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind the ministry's reverse proxy the real client is the first forwarded hop.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        ctx = context.RequestContext(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
            channel=channel,
        )
        with context.use(ctx):
            return self.get_response(request)
