"""/healthz: database, file storage and the worker's heartbeat, each named when down."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:
        return False, f"cơ sở dữ liệu không phản hồi: {exc.__class__.__name__}"


def _check_storage() -> tuple[bool, str]:
    name = f"healthz/{uuid.uuid4().hex}"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved, "rb") as fh:
            ok = fh.read() == b"ok"
        default_storage.delete(saved)
        return ok, "ok" if ok else "kho tệp đọc lại sai dữ liệu"
    except Exception as exc:
        return False, f"kho tệp không ghi được: {exc.__class__.__name__}"


def _check_worker() -> tuple[bool, str]:
    from vanban.jobs.models import WorkerHeartbeat

    try:
        cutoff = timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
        latest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    except Exception as exc:
        return False, f"không đọc được trạng thái tiến trình nền: {exc.__class__.__name__}"
    if latest is None:
        return False, "chưa có tiến trình xử lý nền nào chạy"
    if latest < cutoff:
        return False, f"tiến trình xử lý nền không phản hồi từ {timezone.localtime(latest):%d/%m/%Y %H:%M:%S}"
    return True, "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    db_ok, db_msg = _check_database()
    checks["database"] = {"ok": db_ok, "detail": db_msg}
    st_ok, st_msg = _check_storage()
    checks["storage"] = {"ok": st_ok, "detail": st_msg}
    if db_ok:
        wk_ok, wk_msg = _check_worker()
    else:
        wk_ok, wk_msg = False, "không kiểm tra được vì cơ sở dữ liệu lỗi"
    checks["worker"] = {"ok": wk_ok, "detail": wk_msg}
    healthy = all(c["ok"] for c in checks.values())
    down = [name for name, c in checks.items() if not c["ok"]]
    return JsonResponse({"status": "ok" if healthy else "down", "down": down, "checks": checks},
                        status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
