"""Account import from Excel/CSV: the file check at upload, the rows in the worker."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from vanban.accounts import imports
from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.conftest import run_queued_jobs
from vanban.core.errors import NotFound, PermissionDenied, ValidationFailed
from vanban.jobs.models import Job
from vanban.jobs.tests.helpers import GOOD, GOOD_AND_BAD, HEADER, build_world, csv_bytes, start, xlsx_bytes
from vanban.organisation import services as org_services
from vanban.organisation.models import Appointment, RoleGrant
from vanban.organisation.roles import Role

# Jobs are enqueued on commit and the worker closes its connection between tasks, so
# the tests that run jobs commit for real (see run_queued_jobs in vanban/conftest.py).
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_unit, make_user, position):
    return build_world(make_unit, make_user, position)


def errors_by_row(job):
    return {e["row"]: (e["code"], e["field"]) for e in job.result["errors"]}


# --- Reading the file (no database) ---------------------------------------------------------


def test_xlsx_with_vietnamese_headers_is_read_with_spreadsheet_row_numbers():
    data = xlsx_bytes([GOOD_AND_BAD[0], ["", "", "", "", "", "", ""], GOOD_AND_BAD[4]])
    sheet = imports.read_rows(data, "ds.xlsx")
    assert sheet.fields == ["username", "full_name", "email", "phone", "unit", "position", "roles"]
    # The blank row 3 is skipped but not renumbered: the clerk finds "dòng 4" in Excel.
    assert [n for n, _ in sheet.rows] == [2, 4]
    assert sheet.record(sheet.rows[0][1])["full_name"] == "Nguyễn Văn An"


def test_utf8_csv_with_bom_and_vietnamese_headers_is_read():
    sheet = imports.read_rows(csv_bytes(GOOD_AND_BAD), "ds.csv")
    assert len(sheet.rows) == len(GOOD_AND_BAD)
    assert sheet.record(sheet.rows[-1][1])["full_name"] == "Đặng Văn Hải"


def test_semicolon_delimited_csv_is_read():
    sheet = imports.read_rows(csv_bytes(GOOD_AND_BAD, delimiter=";", bom=False), "ds.csv")
    assert sheet.record(sheet.rows[0][1]) == {
        "username": "nv.an",
        "full_name": "Nguyễn Văn An",
        "email": "nvan@moit.gov.vn",
        "phone": "0912345678",
        "unit": "VP-TH",
        "position": "Chuyên viên",
        "roles": "Chuyên viên",
    }


def test_english_and_decorated_headers_are_accepted():
    header = ["username", "Full name", "E-mail", "phone", "Đơn vị (*)", "Chức vụ *", "roles"]
    sheet = imports.read_rows(csv_bytes([GOOD_AND_BAD[0]], header=header), "ds.csv")
    assert sheet.fields == ["username", "full_name", "email", "phone", "unit", "position", "roles"]


def _code(data: bytes, name: str) -> str:
    with pytest.raises(ValidationFailed) as exc:
        imports.read_rows(data, name)
    assert exc.value.field == "file"
    return exc.value.code


def _docx_like() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.7\n1 0 obj\n", "danh-sach.pdf"),
        (b"%PDF-1.7\n1 0 obj\n", "danh-sach.xlsx"),
        (b"day khong phai bang tinh", "danh-sach.xlsx"),
        (b"%PDF-1.7\n\x00\x01binary", "danh-sach.csv"),
        (b"\xd0\xcf\x11\xe0old excel", "danh-sach.xls"),
        (_docx_like(), "danh-sach.xlsx"),
        (_docx_like(), "danh-sach.docx"),
    ],
)
def test_file_that_is_not_a_spreadsheet_is_refused(data, name):
    assert _code(data, name) == "not_a_spreadsheet"


def test_csv_not_saved_as_utf8_is_refused():
    data = "Tên đăng nhập,Họ và tên,Đơn vị,Chức vụ\nnv.an,Nguyễn Văn An,VP,Chuyên viên\n".encode("cp1258", "replace")
    assert _code(data, "ds.csv") == "not_utf8"


def test_file_missing_required_columns_is_refused_naming_them():
    with pytest.raises(ValidationFailed) as exc:
        imports.read_rows(csv_bytes([["nv.an", "An"]], header=["Tên đăng nhập", "Tên"]), "ds.csv")
    assert exc.value.code == "wrong_columns"
    assert "Họ và tên" in exc.value.message and "Đơn vị" in exc.value.message and "Chức vụ" in exc.value.message


def test_file_with_a_column_twice_is_refused():
    header = [*HEADER, "Đơn vị"]
    assert _code(csv_bytes([[*GOOD_AND_BAD[0], "VP"]], header=header), "ds.csv") == "wrong_columns"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "ds.csv"),
        (b"\xef\xbb\xbf\n\n", "ds.csv"),
        (csv_bytes([]), "ds.csv"),
        (xlsx_bytes([]), "ds.xlsx"),
    ],
)
def test_empty_file_or_header_only_is_refused(data, name):
    assert _code(data, name) == "empty_file"


def test_oversized_file_is_refused():
    assert _code(b"a" * (imports.MAX_BYTES + 1), "ds.csv") == "file_too_large"


def test_template_first_sheet_has_the_expected_columns_and_reads_back(db, make_user):
    admin = make_user(roles=[Role.SYSTEM_ADMIN])
    wb = load_workbook(io.BytesIO(imports.build_template(admin)))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER
    assert wb.sheetnames == ["Tài khoản", "Hướng dẫn", "Danh mục"]
    # Filled in, the template is accepted as it is.
    wb.worksheets[0].append(GOOD_AND_BAD[0])
    buf = io.BytesIO()
    wb.save(buf)
    assert len(imports.read_rows(buf.getvalue(), "mau.xlsx").rows) == 1


# --- Refused before any job -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.7 not a sheet", "ds.pdf", "not_a_spreadsheet"),
        (xlsx_bytes([["nv.an"]], header=["Tên đăng nhập"]), "ds.xlsx", "wrong_columns"),
    ],
)
def test_bad_file_is_refused_before_any_job_is_created(world, data, name, code):
    with pytest.raises(ValidationFailed) as exc:
        start(world.sysadmin, data=data, name=name)
    assert exc.value.code == code
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="account.import_started").exists()


def test_specialist_cannot_start_an_import(world):
    with pytest.raises(PermissionDenied):
        start(world.specialist)
    assert not Job.objects.exists()


def test_admin_starts_an_import_as_a_queued_job_with_known_total(world):
    job = start(world.vp_admin)
    assert job.state == Job.State.QUEUED
    assert (job.done, job.total, job.owner) == (0, len(GOOD_AND_BAD), world.vp_admin)
    assert AuditEvent.objects.filter(action="account.import_started", target_id=str(job.pk)).exists()


# --- The job (run as the worker would) ----------------------------------------------------------


@transactional
def test_import_creates_good_rows_and_reports_bad_rows_with_row_numbers(world):
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()

    assert job.state == Job.State.SUCCEEDED, job.error
    assert (job.done, job.total, job.percent) == (8, 8, 100)
    assert {c["username"] for c in job.result["created"]} == GOOD
    assert errors_by_row(job) == {
        3: ("duplicate_username", "username"),
        4: ("invalid_email", "email"),
        5: ("unknown_unit", "unit"),
    }
    assert all(e["message"] for e in job.result["errors"])
    assert (job.result["created_count"], job.result["error_count"]) == (5, 3)
    # Bad rows left nothing behind.
    assert not User.objects.filter(username__in=["tt.binh", "le.cuong"]).exists()
    assert User.objects.filter(username="da.co").count() == 1


@transactional
def test_imported_accounts_get_their_appointment_roles_and_a_working_initial_password(world):
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()
    created = {c["username"]: c for c in job.result["created"]}

    an = User.objects.get(username="nv.an")
    assert (an.full_name, an.email, an.phone, an.must_change_password) == (
        "Nguyễn Văn An",
        "nvan@moit.gov.vn",
        "0912345678",
        True,
    )
    assert an.check_password(created["nv.an"]["password"])
    appointment = Appointment.objects.get(user=an, end_date__isnull=True)
    assert (appointment.unit, appointment.position) == (world.vp_th, world.specialist_position)
    assert set(RoleGrant.objects.filter(user=an).values_list("role", "unit")) == {(Role.SPECIALIST, world.vp_th.pk)}

    dung = User.objects.get(username="pham.dung")
    assert Appointment.objects.get(user=dung).position == world.clerk_position
    assert set(RoleGrant.objects.filter(user=dung).values_list("role", flat=True)) == {Role.UNIT_CLERK, Role.SPECIALIST}
    # Units by full name and case-/diacritic-insensitive short names and positions.
    assert Appointment.objects.get(user__username="hoang.em").unit == world.pc
    assert Appointment.objects.get(user__username="vo.giang").unit == world.vp_th
    assert not RoleGrant.objects.filter(user__username="dang.hai").exists()


@transactional
def test_import_from_semicolon_csv_with_vietnamese_headers(world):
    job = start(world.sysadmin, data=csv_bytes(GOOD_AND_BAD, delimiter=";"), name="danh-sach.csv")
    run_queued_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert {c["username"] for c in job.result["created"]} == GOOD
    assert set(errors_by_row(job)) == {3, 4, 5}


@transactional
def test_import_audits_each_account_and_the_import_from_the_worker(world):
    job = start(world.sysadmin)
    run_queued_jobs()
    created = AuditEvent.objects.filter(action="account.created", actor=world.sysadmin)
    assert created.count() == 5
    assert set(created.values_list("channel", flat=True)) == {"worker"}
    finished = AuditEvent.objects.get(action="account.import_finished", target_id=str(job.pk))
    assert finished.data == {"created": 5, "errors": 3}


@transactional
def test_row_failing_after_its_account_was_saved_leaves_nothing_half_created(world, monkeypatch):
    real_grant = org_services.grant_role

    def grant_failing_for_dung(*, actor, user, role, unit=None):
        if user.username == "pham.dung" and role == Role.SPECIALIST:
            raise ValidationFailed("invalid_role", "Vai trò không hợp lệ.", "role")
        return real_grant(actor=actor, user=user, role=role, unit=unit)

    monkeypatch.setattr(org_services, "grant_role", grant_failing_for_dung)
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()

    assert errors_by_row(job)[6] == ("invalid_role", "role")
    assert not User.objects.filter(username="pham.dung").exists()
    assert not AuditEvent.objects.filter(action="account.created", target_repr="Phạm Thị Dung").exists()
    assert not AuditEvent.objects.filter(
        action="account.role_granted", data__role=Role.UNIT_CLERK, target_repr="Phạm Thị Dung"
    ).exists()
    assert User.objects.filter(username__in=GOOD - {"pham.dung"}).count() == 4


@transactional
def test_unexpected_error_on_one_row_keeps_the_other_rows_and_their_passwords(world, monkeypatch):
    real_row = imports._import_row

    def exploding(actor, record, catalogue):
        if record["username"] == "hoang.em":
            raise RuntimeError("disk on fire")
        return real_row(actor, record, catalogue)

    monkeypatch.setattr(imports, "_import_row", exploding)
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert errors_by_row(job)[7] == ("system_error", "")
    assert "disk on fire" not in str(job.result)
    assert len(job.result["created"]) == 4 and all(c["password"] for c in job.result["created"])


@transactional
def test_progress_is_saved_after_every_row_and_reaches_the_total(world, monkeypatch):
    seen = []
    real_row = imports._import_row

    def watching(actor, record, catalogue):
        seen.append(Job.objects.values_list("state", "done", "total").get())
        return real_row(actor, record, catalogue)

    monkeypatch.setattr(imports, "_import_row", watching)
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()
    assert seen == [("running", i, 8) for i in range(8)]
    assert (job.done, job.total) == (8, 8)


@transactional
def test_unit_admin_imports_only_into_units_of_their_subtree(world):
    rows = [
        ["a.vp", "Người Một", "", "", "VP", "Chuyên viên", "Chuyên viên"],
        ["b.vpth", "Người Hai", "", "", "VP-TH", "Chuyên viên", "Văn thư đơn vị"],
        ["c.pc", "Người Ba", "", "", "PC", "Chuyên viên", ""],
        ["d.vp", "Người Bốn", "", "", "VP", "Chuyên viên", "Văn thư Bộ"],
    ]
    job = start(world.vp_admin, rows)
    run_queued_jobs()
    job.refresh_from_db()
    assert {c["username"] for c in job.result["created"]} == {"a.vp", "b.vpth"}
    assert errors_by_row(job) == {4: ("unit_not_permitted", "unit"), 5: ("role_not_permitted", "roles")}
    assert not User.objects.filter(username__in=["c.pc", "d.vp"]).exists()


@transactional
def test_system_admin_imports_into_any_unit_with_ministry_roles(world):
    rows = [
        ["c.pc", "Người Ba", "", "", "PC", "Chuyên viên", ""],
        ["d.vp", "Người Bốn", "", "", "VP", "Chuyên viên", "Văn thư Bộ"],
    ]
    job = start(world.sysadmin, rows)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.result["errors"] == []
    assert RoleGrant.objects.filter(user__username="d.vp", role=Role.MINISTRY_CLERK, unit=None).exists()


@transactional
def test_import_fails_when_its_owner_lost_the_admin_role_before_it_ran(world):
    job = start(world.vp_admin)
    grant = RoleGrant.objects.get(user=world.vp_admin, role=Role.UNIT_ADMIN)
    org_services.revoke_role(actor=world.sysadmin, grant=grant)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "Bạn không có quyền thực hiện thao tác này."
    assert not User.objects.filter(username__in=GOOD).exists()


@transactional
def test_generated_passwords_are_shown_but_passwords_from_the_file_are_not_kept(world):
    header = [*HEADER, "Mật khẩu"]
    rows = [
        ["a.vp", "Người Một", "", "", "VP", "Chuyên viên", "", "Riêng@Tư-2026x"],
        ["b.vp", "Người Hai", "", "", "VP", "Chuyên viên", "", ""],
    ]
    job = start(world.sysadmin, data=xlsx_bytes(rows, header=header))
    run_queued_jobs()
    job.refresh_from_db()
    created = {c["username"]: c for c in job.result["created"]}
    assert created["a.vp"]["password"] == "" and created["a.vp"]["password_from_file"]
    assert User.objects.get(username="a.vp").check_password("Riêng@Tư-2026x")
    assert created["b.vp"]["password"] and "Riêng@Tư-2026x" not in str(job.result)


@transactional
def test_owner_wipes_initial_passwords_from_the_result_and_it_is_audited(world):
    job = start(world.sysadmin)
    run_queued_jobs()
    job.refresh_from_db()
    imports.wipe_passwords(actor=world.sysadmin, job=job)
    job.refresh_from_db()
    assert job.result["passwords_wiped"] is True
    assert [c["password"] for c in job.result["created"]] == [""] * 5
    event = AuditEvent.objects.get(action="account.import_passwords_wiped", target_id=str(job.pk))
    assert event.actor == world.sysadmin and event.data == {"passwords": 5}
    with pytest.raises(ValidationFailed) as exc:
        imports.wipe_passwords(actor=world.sysadmin, job=job)
    assert exc.value.code == "already_wiped"


@transactional
def test_someone_else_cannot_wipe_the_passwords_of_an_import(world):
    job = start(world.sysadmin)
    run_queued_jobs()
    with pytest.raises(NotFound):
        imports.wipe_passwords(actor=world.vp_admin, job=job)
    job.refresh_from_db()
    assert all(c["password"] for c in job.result["created"])
    assert not AuditEvent.objects.filter(action="account.import_passwords_wiped").exists()


@transactional
def test_error_report_lists_each_bad_row_and_keeps_formulas_as_text(world):
    rows = [['=HYPERLINK("http://x")', "Người Xấu", "", "", "VP", "Chuyên viên", ""], *GOOD_AND_BAD[:3]]
    job = start(world.sysadmin, data=csv_bytes(rows), name="ds.csv")
    run_queued_jobs()
    job.refresh_from_db()
    ws = load_workbook(io.BytesIO(imports.error_report(job))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["Dòng", "Tên đăng nhập", "Cột", "Mã lỗi", "Nội dung lỗi"]
    assert [(r[0], r[2], r[3]) for r in values[1:]] == [
        (2, "Tên đăng nhập", "invalid_username"),
        (4, "Tên đăng nhập", "duplicate_username"),
        (5, "Thư điện tử", "invalid_email"),
    ]
    assert (ws["B2"].data_type, ws["B2"].value) == ("s", '=HYPERLINK("http://x")')


def test_a_very_long_file_name_is_shortened_but_keeps_its_extension(world):
    job = start(world.sysadmin, name="danh-sach-" + "rat-dai-" * 40 + ".csv", data=csv_bytes(GOOD_AND_BAD))
    assert len(job.input_name) <= 200 and job.input_name.endswith("….csv")
    assert len(imports.read_rows(csv_bytes(GOOD_AND_BAD), job.input_name).rows) == 8
