"""The IT department's journey in a real browser: create a unit and an account, import
accounts and watch the worker take the progress bar to 100%, then log in as the new
account."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from vanban.accounts.models import User
from vanban.e2e.conftest import login, shot
from vanban.organisation.models import Position, Unit

pytestmark = pytest.mark.browser

ADMIN = "quantri"


def _import_file(unit_short: str, rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Điện thoại", "Đơn vị", "Chức vụ", "Vai trò"])
    for i in range(rows):
        ws.append([f"nhap.{i:03d}", f"Nguyễn Văn Nhập {i}", f"nhap{i}@moit.gov.vn", "", unit_short, "Chuyên viên", "Chuyên viên"])
    ws.append(["nhap.000", "Trùng Tên", "", "", unit_short, "Chuyên viên", ""])  # a bad row: duplicate
    ws.append(["email.sai", "Sai Thư", "khong-phai-email", "", unit_short, "", ""])  # a bad row: e-mail
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_admin_creates_unit_and_account_imports_accounts_and_new_account_logs_in(page, demo_data, worker):
    password = demo_data[ADMIN].password
    login(page, ADMIN, password)
    assert page.locator("[data-testid=main-nav]").is_visible()

    # A new phòng under Cục Thương mại điện tử và Kinh tế số.
    cuc = Unit.objects.get(short_name="TMĐT")
    page.goto("/quan-tri/don-vi/them/")
    page.fill("input[name=name]", "Phòng Chuyển đổi số")
    page.fill("input[name=short_name]", "TMĐT-CĐS")
    page.select_option("select[name=kind]", "phong")
    page.select_option("select[name=parent]", str(cuc.pk))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Phòng Chuyển đổi số" in page.inner_text("main")
    unit = Unit.objects.get(name="Phòng Chuyển đổi số")
    assert unit.parent == cuc
    shot(page, "admin-unit-detail")

    # An account in it; the initial password is shown once.
    page.goto("/quan-tri/tai-khoan/them/")
    page.fill("input[name=username]", "cv.cds")
    page.fill("input[name=full_name]", "Phạm Thị Chuyển Đổi")
    page.fill("input[name=email]", "cv.cds@moit.gov.vn")
    page.select_option("select[name=unit]", str(unit.pk))
    page.select_option("select[name=position]", str(Position.objects.get(code="chuyen-vien").pk))
    page.check("input[name=roles][value=specialist]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    initial_password = page.input_value("[data-testid=secret-once] input")
    assert len(initial_password) >= 10
    shot(page, "admin-account-created")

    # Import accounts from Excel and watch the progress bar reach 100%.
    page.goto("/quan-tri/tai-khoan/nhap/")
    shot(page, "admin-account-import")
    page.set_input_files("input[type=file]", files=[{
        "name": "tai-khoan.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": _import_file("TMĐT-CĐS", 25),
    }])
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/tac-vu/[0-9a-f-]+/$"))
    page.wait_for_selector("[data-testid=import-summary]", timeout=60000)
    assert "100%" in page.inner_text("[data-testid=job-progress]")
    assert page.locator("[data-testid=created-accounts] tbody tr").count() == 25
    errors = page.inner_text("[data-testid=import-errors]")
    assert "nhap.000" in errors and "email.sai" in errors
    shot(page, "admin-import-finished")
    assert User.objects.filter(username__startswith="nhap.").count() == 25

    # The new account logs in, must set its own password, then sees its home page.
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r"/dang-nhap/"))
    login(page, "cv.cds", initial_password)
    assert "/tai-khoan/doi-mat-khau/" in page.url
    page.fill("input[name=old_password]", initial_password)
    page.fill("input[name=new_password]", "Chuyen-Doi-So-2026")
    page.fill("input[name=confirm_password]", "Chuyen-Doi-So-2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1") == "Việc của tôi"
    assert "Phạm Thị Chuyển Đổi" in page.inner_text("main")
    shot(page, "new-account-home")


def test_moving_a_unit_under_its_descendant_shows_the_rule_in_vietnamese(page, demo_data):
    login(page, ADMIN, demo_data[ADMIN].password)
    cuc = Unit.objects.get(short_name="XNK")
    phong = Unit.objects.get(short_name="XNK-QLXK")
    page.goto(f"/quan-tri/don-vi/{cuc.pk}/")
    form = page.locator("[data-testid=form-move]")
    page.click("button[data-bs-target='#panel-move']")
    form.wait_for(state="visible")
    page.wait_for_function("!document.querySelector('#panel-move').classList.contains('collapsing')")
    form.locator("select[name=parent]").select_option(str(phong.pk))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=form-move] .invalid-feedback, [data-testid=form-move] .alert-danger")
    assert "vào một đơn vị cấp dưới của nó" in page.inner_text("main")
    cuc.refresh_from_db()
    assert cuc.parent is None
