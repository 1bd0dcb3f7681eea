"""Bulk account import from an Excel or CSV file, as a background job.

Each row is created in its own transaction through `create_account`, so a bad row is
reported and skipped while the good rows stay."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from django.db import transaction

from vanban.audit import services as audit
from vanban.core.errors import ValidationFailed, VanbanError
from vanban.core.text import clean_text, fold
from vanban.jobs.registry import ProgressFn, register
from vanban.jobs.services import read_input, start_job
from vanban.organisation.models import Position, Unit
from vanban.organisation.roles import Role

JOB_KIND = "accounts.import"

# Column header (folded, Vietnamese or English) → field.
COLUMNS = {
    "ten dang nhap": "username", "username": "username",
    "ho va ten": "full_name", "full_name": "full_name", "ho ten": "full_name",
    "thu dien tu": "email", "email": "email",
    "dien thoai": "phone", "phone": "phone",
    "don vi": "unit", "unit": "unit",
    "chuc vu": "position", "position": "position",
    "vai tro": "roles", "roles": "roles",
    "mat khau": "password", "password": "password",
}
REQUIRED = ("username", "full_name", "unit")
MAX_ROWS = 20000


def read_rows(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Return (fields, rows). Raises ValidationFailed for a file that is not a
    spreadsheet or lacks required columns, before anything is created."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        try:
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise ValidationFailed("not_a_spreadsheet", "Tệp không phải bảng tính Excel (.xlsx) hợp lệ.", "file") from None
        ws = wb.worksheets[0]
        table = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    elif name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed("not_utf8", "Tệp CSV phải được lưu với bảng mã UTF-8 (Unicode).", "file") from None
        if "\x00" in text:
            raise ValidationFailed("not_a_spreadsheet", "Tệp không phải bảng tính CSV hợp lệ.", "file")
        dialect = csv.Sniffer().sniff(text[:2000], delimiters=",;\t") if text.strip() else csv.excel
        table = list(csv.reader(io.StringIO(text), dialect))
    else:
        raise ValidationFailed("not_a_spreadsheet", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv).", "file")
    table = [row for row in table if any(clean_text(c) for c in row)]
    if not table:
        raise ValidationFailed("empty_file", "Tệp không có dữ liệu.", "file")
    header = [COLUMNS.get(fold(clean_text(c)).replace("_", " ").strip(), COLUMNS.get(clean_text(c).lower(), "")) for c in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        labels = {"username": "Tên đăng nhập", "full_name": "Họ và tên", "unit": "Đơn vị"}
        raise ValidationFailed(
            "wrong_columns",
            "Thiếu cột bắt buộc: " + ", ".join(labels[m] for m in missing)
            + ". Dòng đầu tiên phải là tiêu đề: Tên đăng nhập, Họ và tên, Thư điện tử, Điện thoại, Đơn vị, Chức vụ, Vai trò.",
            "file",
        )
    if len(table) - 1 > MAX_ROWS:
        raise ValidationFailed("too_many_rows", f"Mỗi lần nhập tối đa {MAX_ROWS} dòng.", "file")
    return header, table[1:]


def _find_unit(value: str) -> Unit:
    value = clean_text(value)
    units = Unit.objects.filter(status=Unit.Status.ACTIVE)
    match = units.filter(short_name__iexact=value).first() or units.filter(name__iexact=value).first()
    if match is None and value.isdigit():
        match = units.filter(pk=int(value)).first()
    if match is None:
        folded = fold(value)
        match = next((u for u in units if fold(u.name) == folded or fold(u.short_name) == folded), None)
    if match is None:
        raise ValidationFailed("unknown_unit", f"Không tìm thấy đơn vị «{value}».", "unit")
    return match


def _find_position(value: str) -> Position | None:
    value = clean_text(value)
    if not value:
        return None
    folded = fold(value)
    match = next((p for p in Position.objects.all() if fold(p.name) == folded or p.code == value), None)
    if match is None:
        raise ValidationFailed("unknown_position", f"Không tìm thấy chức vụ «{value}».", "position")
    return match


def _parse_roles(value: str) -> list[str]:
    by_label = {fold(label): code for code, label in Role.choices}
    roles = []
    for part in clean_text(value).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        code = part if part in Role.values else by_label.get(fold(part))
        if code is None:
            raise ValidationFailed("unknown_role", f"Vai trò «{part}» không hợp lệ.", "roles")
        roles.append(code)
    return roles


def validate_file(data: bytes, filename: str) -> int:
    _, rows = read_rows(data, filename)
    return len(rows)


def start_import(*, actor: Any, filename: str, data: bytes) -> Any:
    """Check the file's shape now (a bad file never becomes a job), run the rows later."""
    from vanban.organisation.permissions import ADMIN_ROLES, authorize

    authorize(actor, ADMIN_ROLES)
    rows = validate_file(data, filename)
    with transaction.atomic():
        job = start_job(owner=actor, kind=JOB_KIND, title=f"Nhập tài khoản từ tệp {filename}",
                        params={"rows": rows}, input_name=filename, input_bytes=data)
        audit.record(actor=actor, action="account.import_started", target=job, data={"file": filename, "rows": rows})
    return job


@register(JOB_KIND)
def run_import(job: Any, progress: ProgressFn) -> dict[str, Any]:
    from vanban.accounts.services import create_account

    header, rows = read_rows(read_input(job), job.input_name)
    actor = job.owner
    created: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    total = len(rows)
    progress(0, total)
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        record = {field: clean_text(row[i]) if i < len(row) else "" for i, field in enumerate(header) if field}
        try:
            with transaction.atomic():
                unit = _find_unit(record.get("unit", ""))
                user, password = create_account(
                    actor=actor,
                    username=record.get("username", ""),
                    full_name=record.get("full_name", ""),
                    email=record.get("email", ""),
                    phone=record.get("phone", ""),
                    password=record.get("password") or None,
                    unit=unit,
                    position=_find_position(record.get("position", "")),
                    roles=_parse_roles(record.get("roles", "")),
                )
            created.append({"row": index, "username": user.username, "password": password})
        except VanbanError as exc:
            errors.append({"row": index, "username": record.get("username", ""), "code": exc.code,
                           "field": exc.field, "message": exc.message})
        progress(index - 1, total)
    with transaction.atomic():
        audit.record(actor=actor, action="account.import_finished", target=job,
                     data={"created": len(created), "errors": len(errors)})
    return {"created": created, "errors": errors, "created_count": len(created), "error_count": len(errors)}
