"""`vanban check --deploy` refuses unsafe production settings (errors, not warnings)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def unsafe_production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.DEBUG:
        errors.append(Error("VANBAN_DEBUG đang bật: không được chạy chế độ gỡ lỗi trong môi trường thật.",
                            hint="Bỏ biến VANBAN_DEBUG hoặc đặt VANBAN_DEBUG=0.", id="vanban.E001"))
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        errors.append(Error("Khóa bí mật (VANBAN_SECRET_KEY) đang là giá trị mặc định hoặc quá ngắn.",
                            hint="Đặt VANBAN_SECRET_KEY là một chuỗi ngẫu nhiên dài ít nhất 50 ký tự.", id="vanban.E002"))
    if not settings.HTTPS:
        errors.append(Error("Chưa bật HTTPS (VANBAN_HTTPS=1): cookie phiên và chuyển hướng HTTPS chưa được bảo vệ.",
                            hint="Chạy sau reverse proxy có TLS và đặt VANBAN_HTTPS=1.", id="vanban.E003"))
    if any(h in ("*",) for h in settings.ALLOWED_HOSTS):
        errors.append(Error("VANBAN_ALLOWED_HOSTS không được là «*».", id="vanban.E004"))
    return errors
