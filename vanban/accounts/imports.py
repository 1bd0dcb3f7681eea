"""Bulk account import from an Excel or CSV file, as a background job.

The file's shape (a spreadsheet, with the required columns and some rows) is checked
when it is uploaded, so a bad file never becomes a job. The worker then creates each
row in its own transaction through `create_account`: a bad row is reported with its
row number and skipped, leaving nothing half-created, while the good rows stay."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import NotFound, PermissionDenied, ValidationFailed, VanbanError
from vanban.core.text import clean_text, fold
from vanban.jobs.models import Job
from vanban.jobs.registry import ProgressFn, register
from vanban.jobs.services import read_input, start_job
from vanban.organisation.models import Position, Unit
from vanban.organisation.permissions import Authority
from vanban.organisation.roles import UNIT_SCOPED_ROLES, Role

logger = logging.getLogger(__name__)

JOB_KIND = "accounts.import"
MAX_ROWS = 20000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    required: bool
    help: str
    example: str


# The columns in the order of the template. "Mật khẩu" is accepted but not offered:
# generated passwords are stronger and the person must change them at first sign-in.
COLUMNS: tuple[Column, ...] = (
    Column(
        "username",
        "Tên đăng nhập",
        True,
        "Chữ cái không dấu, chữ số và các ký tự . _ -, từ 3 ký tự; không trùng tài khoản đã có.",
        "nv.an",
    ),
    Column("full_name", "Họ và tên", True, "Họ và tên đầy đủ, có dấu.", "Nguyễn Văn An"),
    Column(
        "email", "Thư điện tử", False, "Địa chỉ thư điện tử công vụ; không trùng tài khoản khác.", "nvan@moit.gov.vn"
    ),
    Column("phone", "Điện thoại", False, "Số điện thoại liên hệ.", "0912345678"),
    Column(
        "unit",
        "Đơn vị",
        True,
        "Tên viết tắt hoặc tên đầy đủ của đơn vị đang hoạt động (xem trang «Danh mục»).",
        "VP-TH",
    ),
    Column("position", "Chức vụ", True, "Tên chức vụ trong danh mục (xem trang «Danh mục»).", "Chuyên viên"),
    Column("roles", "Vai trò", False, "Một hoặc nhiều vai trò, cách nhau bởi dấu phẩy hoặc chấm phẩy.", "Chuyên viên"),
)
FIELD_LABELS = {c.field: c.label for c in COLUMNS} | {"password": "Mật khẩu", "file": "Tệp"}
REQUIRED = tuple(c.field for c in COLUMNS if c.required)

# Header text, folded (no diacritics, lower case, single spaces) → field.
_HEADER_ALIASES = {
    "ten dang nhap": "username",
    "username": "username",
    "tai khoan": "username",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "full name": "full_name",
    "thu dien tu": "email",
    "email": "email",
    "e mail": "email",
    "thu dien tu cong vu": "email",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "phone": "phone",
    "don vi": "unit",
    "unit": "unit",
    "chuc vu": "position",
    "position": "position",
    "vai tro": "roles",
    "roles": "roles",
    "role": "roles",
    "mat khau": "password",
    "password": "password",
}
_BINARY_MAGIC = (
    b"%PDF",
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
)


@dataclass
class Sheet:
    """The file's header mapped to fields, and its non-blank rows with their row
    numbers as the spreadsheet program shows them (blank rows are skipped, not
    renumbered, so "dòng 7" in the report is row 7 in Excel)."""

    fields: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def record(self, cells: list[str]) -> dict[str, str]:
        return {f: clean_text(cells[i]) if i < len(cells) else "" for i, f in enumerate(self.fields) if f}


def _not_a_spreadsheet(message: str = "Tệp không phải bảng tính Excel (.xlsx) hoặc CSV hợp lệ.") -> ValidationFailed:
    return ValidationFailed("not_a_spreadsheet", message, "file")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    # Any failure while opening or streaming an uploaded workbook means "not a valid
    # spreadsheet" to the person who sent it; the exception types openpyxl raises for
    # broken zips and XML are many and version dependent.
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _not_a_spreadsheet("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.") from None
    try:
        if not wb.worksheets:
            raise _not_a_spreadsheet("Tệp Excel không có trang tính nào.")
        table = []
        for number, row in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in row]
            if any(clean_text(c) for c in cells):
                table.append((number, cells))
                if len(table) > MAX_ROWS + 1:
                    break
        return table
    except VanbanError:
        raise
    except Exception:
        raise _not_a_spreadsheet("Tệp Excel bị hỏng hoặc không đọc được.") from None
    finally:
        wb.close()


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in data[:8192] or data.startswith(_BINARY_MAGIC):
        raise _not_a_spreadsheet("Tệp không phải bảng tính CSV hợp lệ.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "not_utf8", "Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: «CSV UTF-8»).", "file"
        ) from None
    table = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=_delimiter(text)), start=1):
            if any(clean_text(c) for c in cells):
                table.append((number, cells))
                if len(table) > MAX_ROWS + 1:
                    break
    except csv.Error:
        raise _not_a_spreadsheet("Tệp CSV sai định dạng (dấu ngoặc kép không đóng, ô quá dài...).") from None
    return table


def _header_key(text: str) -> str:
    key = re.sub(r"\(.*?\)", " ", fold(clean_text(text)))
    key = key.replace("*", " ").replace("_", " ").replace("-", " ").replace(":", " ")
    return " ".join(key.split())


def read_rows(data: bytes, filename: str) -> Sheet:
    """Parse the upload. Raises ValidationFailed (field "file") for a file that is not
    a spreadsheet, has the wrong columns or no rows, before anything is created."""
    if not data:
        raise ValidationFailed("empty_file", "Tệp rỗng, không có dữ liệu.", "file")
    if len(data) > MAX_BYTES:
        raise ValidationFailed("file_too_large", f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB.", "file")
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise _not_a_spreadsheet("Tệp Excel 97–2003 (.xls) chưa được hỗ trợ: hãy lưu lại dưới dạng .xlsx.")
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise _not_a_spreadsheet("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv).")
    if not table:
        raise ValidationFailed("empty_file", "Tệp không có dữ liệu.", "file")
    header_cells = table[0][1]
    fields = [_HEADER_ALIASES.get(_header_key(c), "") for c in header_cells]
    seen: set[str] = set()
    for f, cell in zip(fields, header_cells, strict=True):
        if f and f in seen:
            raise ValidationFailed("wrong_columns", f"Cột «{clean_text(cell)}» xuất hiện hai lần.", "file")
        seen.add(f)
    missing = [c for c in REQUIRED if c not in fields]
    if missing:
        raise ValidationFailed(
            "wrong_columns",
            "Thiếu cột bắt buộc: "
            + ", ".join(FIELD_LABELS[m] for m in missing)
            + ". Dòng đầu tiên phải là tiêu đề: "
            + ", ".join(c.label for c in COLUMNS)
            + ".",
            "file",
        )
    rows = table[1:]
    if not rows:
        raise ValidationFailed("empty_file", "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", "file")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed("too_many_rows", f"Mỗi lần nhập tối đa {MAX_ROWS} dòng.", "file")
    return Sheet(fields=fields, rows=rows)


# --- Starting an import ---------------------------------------------------------------


def start_import(*, actor: Any, filename: str, data: bytes) -> Job:
    """Check who asks and the file's shape now (a bad file never becomes a job); the
    rows are created later by the worker.

    The file is parsed before the transaction opens: on SQLite every transaction holds
    the write lock, which a large spreadsheet would otherwise keep for seconds."""
    authority = _authorize_importer(actor)
    sheet = read_rows(data, filename)
    return _create_import_job(authority=authority, filename=_display_name(filename), data=data, rows=len(sheet.rows))


def _display_name(filename: str) -> str:
    """The upload's name as shown in the job's title, shortened without losing the
    extension (the worker reads the file again and goes by it)."""
    name = clean_text(filename).replace("/", "_").replace("\\", "_") or "tep-nhap"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[:180] + "…" + dot + ext[:10] if dot else name[:200]
    return name


def _authorize_importer(actor: Any) -> Authority:
    """Any administrator may import; which units each row may go to is checked per row.
    (`authorize(actor, ADMIN_ROLES)` without a unit would refuse unit administrators,
    whose grants only cover their own subtree.)"""
    from vanban.organisation.permissions import ADMIN_ROLES, effective_roles

    grants = [r for r in effective_roles(actor) if r.role in ADMIN_ROLES]
    if not grants:
        raise PermissionDenied()
    own = [r for r in grants if r.delegation is None]
    return Authority(actor=actor, on_behalf_of=(own or grants)[0].on_behalf_of)


@transaction.atomic
def _create_import_job(*, authority: Authority, filename: str, data: bytes, rows: int) -> Job:
    actor = authority.actor
    job = start_job(
        owner=actor,
        kind=JOB_KIND,
        title=f"Nhập tài khoản từ tệp {filename}",
        params={"rows": rows},
        input_name=filename,
        input_bytes=data,
        total=rows,
    )
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="account.import_started",
        target=job,
        data={"file": filename, "rows": rows},
    )
    return job


# --- Running it (in the worker) ---------------------------------------------------------


class _Catalogue:
    """Units, positions and roles looked up once per job instead of once per row."""

    def __init__(self, actor: Any) -> None:
        from vanban.organisation.selectors import admin_unit_paths

        self.admin_paths = admin_unit_paths(actor)
        self.units_exact: dict[str, list[Unit]] = {}
        self.units_folded: dict[str, list[Unit]] = {}
        self.units_by_id: dict[str, Unit] = {}
        for unit in Unit.objects.filter(status=Unit.Status.ACTIVE):
            self.units_by_id[str(unit.pk)] = unit
            for text in {unit.short_name, unit.name} - {""}:
                self.units_exact.setdefault(clean_text(text).casefold(), []).append(unit)
                self.units_folded.setdefault(" ".join(fold(text).split()), []).append(unit)
        self.positions: dict[str, Position] = {}
        for position in Position.objects.all():
            self.positions[" ".join(fold(position.name).split())] = position
            self.positions.setdefault(position.code, position)
        self.roles = {" ".join(fold(label).split()): code for code, label in Role.choices} | {
            code: code for code in Role.values
        }

    def unit(self, value: str) -> Unit:
        if not value:
            raise ValidationFailed("required", "Vui lòng nhập đơn vị.", "unit")
        candidates = (
            self.units_exact.get(value.casefold())
            or self.units_folded.get(" ".join(fold(value).split()))
            or ([self.units_by_id[value]] if value in self.units_by_id else [])
        )
        unique = {u.pk: u for u in candidates}
        if not unique:
            raise ValidationFailed("unknown_unit", f"Không tìm thấy đơn vị đang hoạt động «{value}».", "unit")
        if len(unique) > 1:
            raise ValidationFailed(
                "ambiguous_unit", f"Có nhiều đơn vị ứng với «{value}»: hãy ghi tên viết tắt chính xác.", "unit"
            )
        unit = next(iter(unique.values()))
        if self.admin_paths is not None and not any(unit.path.startswith(p) for p in self.admin_paths):
            raise ValidationFailed(
                "unit_not_permitted",
                f"Bạn không quản trị đơn vị «{unit.name}» nên không thể tạo tài khoản trong đơn vị này.",
                "unit",
            )
        return unit

    def position(self, value: str) -> Position:
        if not value:
            raise ValidationFailed("required", "Vui lòng nhập chức vụ.", "position")
        match = self.positions.get(" ".join(fold(value).split())) or self.positions.get(value)
        if match is None:
            raise ValidationFailed("unknown_position", f"Không tìm thấy chức vụ «{value}» trong danh mục.", "position")
        return match

    def role_codes(self, value: str) -> list[str]:
        codes: list[str] = []
        for part in re.split(r"[,;\n]", value):
            part = clean_text(part)
            if not part:
                continue
            code = self.roles.get(part) or self.roles.get(" ".join(fold(part).split()))
            if code is None:
                raise ValidationFailed("unknown_role", f"Vai trò «{part}» không hợp lệ.", "roles")
            if code not in UNIT_SCOPED_ROLES and self.admin_paths is not None:
                raise ValidationFailed(
                    "role_not_permitted",
                    f"Chỉ quản trị hệ thống được cấp vai trò «{Role(code).label}».",
                    "roles",
                )
            if code not in codes:
                codes.append(code)
        return codes


def _import_row(actor: Any, record: dict[str, str], catalogue: _Catalogue) -> dict[str, Any]:
    from vanban.accounts.services import create_account

    unit = catalogue.unit(record.get("unit", ""))
    position = catalogue.position(record.get("position", ""))
    roles = catalogue.role_codes(record.get("roles", ""))
    given_password = record.get("password", "")
    user, password = create_account(
        actor=actor,
        username=record.get("username", ""),
        full_name=record.get("full_name", ""),
        email=record.get("email", ""),
        phone=record.get("phone", ""),
        password=given_password or None,
        unit=unit,
        position=position,
        roles=roles,
        must_change_password=True,
    )
    return {
        "user_id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "unit": unit.short_name or unit.name,
        "position": position.name,
        "roles": roles,
        # A password the administrator wrote in the file is theirs already: only the
        # generated ones need handing out, so only those are kept in the result.
        "password": "" if given_password else password,
        "password_from_file": bool(given_password),
    }


@register(JOB_KIND)
def run_import(job: Job, progress: ProgressFn) -> dict[str, Any]:
    actor = job.owner
    # The owner may have lost their administrator role (or their account) since upload.
    _authorize_importer(actor)
    sheet = read_rows(read_input(job), job.input_name)
    catalogue = _Catalogue(actor)
    created: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    total = len(sheet.rows)
    progress(0, total)
    for done, (number, cells) in enumerate(sheet.rows, start=1):
        record = sheet.record(cells)
        try:
            # create_account is one transaction (account, appointment, roles and their
            # audit events): a failing row leaves nothing behind. It hashes the password
            # before that transaction opens, so no outer transaction is added here: on
            # SQLite it would hold the write lock through the hashing and starve the web.
            entry = _import_row(actor, record, catalogue)
            created.append({"row": number, **entry})
        except VanbanError as exc:
            errors.append(
                {
                    "row": number,
                    "username": record.get("username", ""),
                    "code": exc.code,
                    "field": exc.field or "",
                    "message": exc.message,
                }
            )
        except IntegrityError:
            # Another import or an administrator created the same account meanwhile.
            errors.append(
                {
                    "row": number,
                    "username": record.get("username", ""),
                    "code": "duplicate",
                    "field": "username",
                    "message": "Tên đăng nhập hoặc thư điện tử vừa được dùng cho tài khoản khác.",
                }
            )
        except Exception:
            # One unexpected row must not lose the passwords of the rows already created.
            logger.exception("account import %s: row %s failed", job.pk, number)
            errors.append(
                {
                    "row": number,
                    "username": record.get("username", ""),
                    "code": "system_error",
                    "field": "",
                    "message": "Lỗi hệ thống khi tạo tài khoản ở dòng này.",
                }
            )
        progress(done, total)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="account.import_finished",
            target=job,
            data={"created": len(created), "errors": len(errors)},
        )
    return {
        "created": created,
        "errors": errors,
        "created_count": len(created),
        "error_count": len(errors),
        "passwords_wiped": False,
    }


# --- After the import ---------------------------------------------------------------------


@transaction.atomic
def wipe_passwords(*, actor: Any, job: Job) -> Job:
    """Remove the generated initial passwords from an import's stored result once they
    have been handed out. Only the job's owner may, and sees the job at all."""
    job = Job.objects.select_for_update().filter(pk=job.pk, owner_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise NotFound()
    if job.kind != JOB_KIND or job.state != Job.State.SUCCEEDED:
        raise ValidationFailed("not_an_import_result", "Tác vụ này không có kết quả nhập tài khoản.")
    result = dict(job.result)
    if result.get("passwords_wiped"):
        raise ValidationFailed("already_wiped", "Mật khẩu đã được xóa khỏi kết quả từ trước.")
    wiped = 0
    created = []
    for entry in result.get("created", []):
        if entry.get("password"):
            wiped += 1
        created.append({**entry, "password": ""})
    result.update(created=created, passwords_wiped=True, passwords_wiped_at=timezone.now().isoformat())
    job.result = result
    job.save(update_fields=["result"])
    audit.record(actor=actor, action="account.import_passwords_wiped", target=job, data={"passwords": wiped})
    return job


def import_errors(job: Job) -> list[dict[str, Any]]:
    """The per-row errors of an import, with the Vietnamese column name of each."""
    return [
        {**e, "field_label": FIELD_LABELS.get(e.get("field") or "", "")} for e in (job.result or {}).get("errors", [])
    ]


# --- Spreadsheets handed to people ---------------------------------------------------------


def _workbook_bytes(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_table(ws: Any, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            # Text from an uploaded file stays text: a username like "=HYPERLINK(...)"
            # must not turn into a live formula in the administrator's Excel.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def build_template(actor: Any) -> bytes:
    """The template: the columns on the first sheet (the one that is read), a guide and
    the catalogues of units (those the administrator manages), positions and roles."""
    from openpyxl import Workbook

    from vanban.organisation.selectors import units_administered_by

    wb = Workbook()
    ws = wb.active
    ws.title = "Tài khoản"
    _write_table(ws, [c.label for c in COLUMNS], [], [18, 28, 28, 16, 18, 22, 26])
    guide = wb.create_sheet("Hướng dẫn")
    _write_table(
        guide,
        ["Cột", "Bắt buộc", "Cách ghi", "Ví dụ"],
        [[c.label, "Có" if c.required else "Không", c.help, c.example] for c in COLUMNS],
        [18, 10, 80, 22],
    )
    guide.append([])
    guide.append(
        [
            "Mỗi dòng là một tài khoản. Hệ thống tạo mật khẩu ban đầu cho từng tài khoản; người dùng phải đổi "
            "mật khẩu khi đăng nhập lần đầu."
        ]
    )
    catalogue = wb.create_sheet("Danh mục")
    units = units_administered_by(actor).filter(status=Unit.Status.ACTIVE).order_by("path")
    positions = list(Position.objects.order_by("rank", "name").values_list("name", flat=True))
    roles = [label for _, label in Role.choices]
    unit_rows = [[u.short_name, u.name] for u in units]
    length = max(len(unit_rows), len(positions), len(roles))
    rows = []
    for i in range(length):
        short, name = unit_rows[i] if i < len(unit_rows) else ("", "")
        rows.append(
            [short, name, "", positions[i] if i < len(positions) else "", "", roles[i] if i < len(roles) else ""]
        )
    _write_table(
        catalogue, ["Đơn vị (viết tắt)", "Tên đơn vị", "", "Chức vụ", "", "Vai trò"], rows, [18, 45, 3, 26, 3, 22]
    )
    return _workbook_bytes(wb)


def error_report(job: Job) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Lỗi"
    rows = [
        [e["row"], e.get("username", ""), e["field_label"], e.get("code", ""), e.get("message", "")]
        for e in import_errors(job)
    ]
    _write_table(ws, ["Dòng", "Tên đăng nhập", "Cột", "Mã lỗi", "Nội dung lỗi"], rows, [8, 22, 16, 22, 80])
    return _workbook_bytes(wb)
