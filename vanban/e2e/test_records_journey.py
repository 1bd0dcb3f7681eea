"""A clerk builds next year's file plan by copying this year's forward, files documents
into a file opened from the plan, closes it, and prepares a transfer list, in a real
browser; the leader approves the new plan at their own browser."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from vanban.e2e.conftest import as_user, login, shot
from vanban.incoming.services import IncomingData, register_incoming
from vanban.organisation.models import Unit
from vanban.records import services
from vanban.records.models import Dossier, DossierPlan, Transfer

pytestmark = pytest.mark.browser


def _pdf(pages: int, marker: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": marker})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _this_years_plan(clerk, leader) -> DossierPlan:
    xnk = Unit.objects.get(short_name="XNK")
    plan = services.create_plan(actor=clerk, year=2026)
    heading = services.add_heading(actor=clerk, plan=plan, code="I", title="Công tác xuất nhập khẩu", abbreviation="XNK")
    services.add_entry(actor=clerk, plan=plan, heading=heading, notation="01.XNK",
                       title="Hồ sơ điều hành xuất khẩu gạo năm 2026", retention="10 năm", unit=xnk)  # fmt: skip
    services.add_entry(actor=clerk, plan=plan, heading=heading, notation="02.XNK",
                       title="Hồ sơ xây dựng Nghị định về xuất khẩu", retention="Vĩnh viễn", unit=xnk)  # fmt: skip
    services.approve_plan(actor=leader, plan=plan)
    return services.publish_plan(actor=clerk, plan=plan)


def _incoming(clerk, n: int):
    from vanban.documents.models import DocumentType

    data = IncomingData(document_type=DocumentType.objects.get(code="cong-van"), issuing_organ_name="UBND tỉnh An Giang",
                        code_number=str(300 + n), code_notation="UBND-KT", issued_date=dt.date(2026, 11, 10 + n),
                        subject=f"V/v báo cáo tình hình xuất khẩu gạo đợt {n}")  # fmt: skip
    return register_incoming(actor=clerk, data=data, files=[(f"cv-{n}.pdf", _pdf(n + 1, f"cv{n}"))])


def test_clerk_copies_the_plan_files_documents_closes_and_prepares_a_transfer(page, demo_data, browser, live_server):
    clerk, leader = demo_data["vanthu.bo"], demo_data["bt.hoang"]
    from vanban.accounts.models import User

    clerk_user, leader_user = User.objects.get(username="vanthu.bo"), User.objects.get(username="bt.hoang")
    plan = _this_years_plan(clerk_user, leader_user)
    docs = [_incoming(clerk_user, n) for n in (1, 2)]

    login(page, "vanthu.bo", clerk.password)
    assert page.locator("[data-nav=records_plans]").count() == 1
    page.goto("/ho-so/danh-muc/")
    page.click("[data-plan='2026'] a")
    page.click("[data-testid=plan-copy]")
    page.wait_for_url(re.compile(r"/ho-so/danh-muc/\d+/$"))
    next_year = DossierPlan.objects.get(year=2027)
    assert page.get_attribute("[data-testid=plan-state]", "data-state") == "draft"
    assert page.locator("[data-entry]").count() == 2
    # A new file for next year; a retention that is neither years nor "Vĩnh viễn" is refused.
    form = page.locator("[data-testid=entry-form]")
    form.locator("select[name=e-heading]").select_option(index=1)
    form.locator("input[name=e-notation]").fill("03.XNK")
    form.locator("input[name=e-title]").fill("Hồ sơ hội nghị xúc tiến xuất khẩu năm 2027")
    form.locator("input[name=e-retention]").fill("lâu dài")
    form.locator("select[name=e-unit]").select_option(label="Cục Xuất nhập khẩu")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Vĩnh viễn" in page.inner_text("[data-error-for=retention]")
    shot(page, "records-plan-bad-retention")
    page.locator("[data-testid=entry-form] input[name=e-retention]").fill("20 năm")
    page.locator("[data-testid=entry-form] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-entry]").count() == 3
    shot(page, "records-plan-next-year")

    with as_user(browser, live_server, "bt.hoang", leader.password) as boss:
        boss.goto(f"/ho-so/danh-muc/{next_year.pk}/")
        boss.click("[data-testid=plan-approve]")
        boss.wait_for_load_state("networkidle")
        assert boss.get_attribute("[data-testid=plan-state]", "data-state") == "approved"
    page.reload()
    page.click("[data-testid=plan-publish]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("[data-testid=plan-state]", "data-state") == "published"

    # This year's file: open it from the plan, file two documents, close it.
    page.goto(f"/ho-so/danh-muc/{plan.pk}/")
    page.locator("[data-entry='01.XNK'] [data-testid=open-dossier]").click()
    page.wait_for_url(re.compile(r"/ho-so/\d+/$"))
    dossier = Dossier.objects.get(plan_entry__notation="01.XNK", year=2026)
    for doc in docs:
        page.select_option("[data-testid=file-form] select[name=document]", f"in:{doc.pk}")
        page.click("[data-testid=file-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert page.locator("[data-item]").count() == 2
    page.locator("[data-testid=item-down]").first.click()
    page.wait_for_load_state("networkidle")
    assert list(dossier.items.values_list("incoming_id", flat=True)) == [docs[1].pk, docs[0].pk]
    shot(page, "records-dossier-filed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=close-dossier]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("[data-testid=dossier-state]", "data-state") == "closed"
    assert page.inner_text("[data-testid=totals]").strip() == "2 / 5"
    assert page.locator("[data-testid=file-form]").count() == 0
    shot(page, "records-dossier-closed")

    # The transfer list.
    page.goto("/ho-so/nop-luu/")
    page.fill("[data-testid=transfer-form] input[name=title]", "Hồ sơ nộp lưu năm 2026 của Cục Xuất nhập khẩu")
    page.check(f"[data-testid=transfer-form] input[value='{dossier.pk}']")
    page.click("[data-testid=transfer-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/ho-so/nop-luu/\d+/$"))
    transfer = Transfer.objects.get()
    assert page.get_attribute("[data-testid=transfer-state]", "data-state") == "draft"
    assert list(transfer.dossiers.all()) == [dossier]
    assert "01.XNK" in page.inner_text("[data-testid=transfer-dossiers]")
    shot(page, "records-transfer-list")
