"""Thư điện tử gửi lỗi: the system administrator sees the notification e-mails that could
not be sent, sends one again («Gửi lại») once the mail server is back, or abandons it
(«Bỏ qua»); each action through a service with its audit event. A real SMTP server
(aiosmtpd) plays the mail server being down, then up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.conftest import run_queued_jobs
from vanban.core.errors import PermissionDenied
from vanban.notifications import delivery, selectors, services
from vanban.notifications.errors import WrongEmailState
from vanban.notifications.models import EmailDelivery
from vanban.notifications.tests.conftest import subject
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(make_user: Any) -> Any:
    return make_user("quantri", roles=[Role.SYSTEM_ADMIN], full_name="Quản trị hệ thống")


@pytest.fixture
def unit_admin(make_user: Any, make_unit: Any) -> Any:
    return make_user("qt.donvi", roles=[Role.UNIT_ADMIN], unit=make_unit("Cục Xuất nhập khẩu"))


def _given_up(smtp: Any, make_user: Any, django_capture_on_commit_callbacks: Any, email: str = "khoa@moit.gov.vn",
              ) -> EmailDelivery:  # fmt: skip
    """An urge e-mail that failed every attempt while the mail server was down. (In a
    transactional test the send task queued by `notify` stays in the queue; it finds
    nothing due to send until «Gửi lại», and then only one of the tasks sends it.)"""
    smtp.stop()
    person = make_user(full_name="Mạc Đăng Khoa", email=email)
    with django_capture_on_commit_callbacks(execute=False):
        [n] = services.notify(recipients=[person], kind="assignment.urged", title="Đôn đốc xử lý văn bản số 12",
                              body="Đề nghị khẩn trương.", url="/giao-viec/12/")  # fmt: skip
    now = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(now=now)
        now += dt.timedelta(days=1)
    row = EmailDelivery.objects.get(notification=n)
    assert (row.state, row.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in row.last_error
    return row


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_is_sent_again_once_the_server_is_up(
    smtp: Any, make_user: Any, sysadmin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _given_up(smtp, make_user, django_capture_on_commit_callbacks)
    assert list(selectors.email_problems("failed")) == [row]

    smtp.start()
    services.retry_email(actor=sysadmin, delivery=row)
    run_queued_jobs()  # the worker runs the send task queued on commit

    [message] = smtp.messages
    assert subject(message) == "[Văn bản điện tử] Đôn đốc xử lý văn bản số 12"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error, row.to_address) == ("sent", 1, "", "khoa@moit.gov.vn")
    event = AuditEvent.objects.get(action="notifications.email_retried")
    assert (event.actor_id, event.target_id) == (sysadmin.pk, str(row.pk))
    assert event.data["previous"] == "failed" and "ConnectionRefusedError" in event.data["error"]
    assert list(selectors.email_problems("failed")) == []
    # Sent is sent: a second «Gửi lại» is refused and nothing is sent twice.
    with pytest.raises(WrongEmailState):
        services.retry_email(actor=sysadmin, delivery=row)
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_server_is_still_down_fails_again_and_waits(
    smtp: Any, make_user: Any, sysadmin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _given_up(smtp, make_user, django_capture_on_commit_callbacks)
    services.retry_email(actor=sysadmin, delivery=row)
    run_queued_jobs()
    row.refresh_from_db()
    # A fresh series of attempts: the first failed, the next waits for the backoff.
    assert (row.state, row.attempts) == ("pending", 1)
    assert list(selectors.email_problems("retrying")) == [row]
    # A pending e-mail may be mid-attempt: it is not sent again by hand, only abandoned.
    with pytest.raises(WrongEmailState):
        services.retry_email(actor=sysadmin, delivery=row)


def test_abandoning_stops_the_retries_and_is_audited(
    smtp: Any, make_user: Any, sysadmin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    smtp.stop()
    person = make_user(email="a@moit.gov.vn")
    with django_capture_on_commit_callbacks(execute=False):
        [n] = services.notify(recipients=[person], kind="assignment.urged", title="Đôn đốc", url="/giao-viec/1/")
    now = timezone.now()
    assert delivery.deliver_due(now=now)["failed"] == 1
    row = EmailDelivery.objects.get(notification=n)
    services.abandon_email(actor=sysadmin, delivery=row, reason="Địa chỉ thư không còn dùng")
    row.refresh_from_db()
    assert row.state == "abandoned"
    smtp.start()
    # The sweep no longer picks it up, even when its next attempt was due.
    assert delivery.deliver_due(now=now + dt.timedelta(days=1)) == {"sent": 0, "failed": 0}
    assert smtp.messages == []
    event = AuditEvent.objects.get(action="notifications.email_abandoned")
    assert event.data["reason"] == "Địa chỉ thư không còn dùng" and event.data["previous"] == "pending"
    assert list(selectors.email_problems("abandoned")) == [row]
    with pytest.raises(WrongEmailState):
        services.abandon_email(actor=sysadmin, delivery=row)


def test_an_attempt_that_fails_after_the_abandon_does_not_revive_it(
    smtp: Any, make_user: Any, sysadmin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    smtp.stop()
    person = make_user(email="a@moit.gov.vn")
    with django_capture_on_commit_callbacks(execute=False):
        [n] = services.notify(recipients=[person], kind="assignment.urged", title="Đôn đốc", url="/giao-viec/1/")
    row = EmailDelivery.objects.get(notification=n)
    claimed = delivery._claim([row.pk], timezone.now())  # an attempt under way ...
    services.abandon_email(actor=sysadmin, delivery=row)  # ... when the administrator abandons it
    delivery._failed(claimed[0], "ConnectionRefusedError", timezone.now())
    row.refresh_from_db()
    assert row.state == "abandoned"


def test_only_a_system_administrator_may_retry_or_abandon(
    smtp: Any, make_user: Any, sysadmin: Any, unit_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _given_up(smtp, make_user, django_capture_on_commit_callbacks)
    for someone in (unit_admin, make_user(roles=[Role.MINISTRY_LEADER]), make_user()):
        with pytest.raises(PermissionDenied):
            services.retry_email(actor=someone, delivery=row)
        with pytest.raises(PermissionDenied):
            services.abandon_email(actor=someone, delivery=row)
    row.refresh_from_db()
    assert row.state == "failed"
    assert not AuditEvent.objects.filter(action__startswith="notifications.email_").exists()


@pytest.mark.django_db(transaction=True)
def test_the_page_lists_failures_and_its_buttons_work(
    smtp: Any, make_user: Any, sysadmin: Any, web_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _given_up(smtp, make_user, django_capture_on_commit_callbacks)
    client = web_client(sysadmin)
    page = client.get(reverse("web:email_failures")).content.decode()
    assert f'data-delivery="{row.pk}"' in page
    assert "Mạc Đăng Khoa" in page and "khoa@moit.gov.vn" in page and "Thư ngay" in page
    assert "Đôn đốc xử lý văn bản số 12" in page and "ConnectionRefusedError" in page
    assert f"<td class=\"text-end\">{delivery.MAX_ATTEMPTS}</td>" in page
    assert "Gửi lại" in page and "Bỏ qua" in page
    assert 'data-nav="email_failures"' in page

    smtp.start()
    response = client.post(reverse("web:email_retry", args=[row.pk]), {"next": "/quan-tri/thu-dien-tu-loi/"})
    assert response.status_code == 302 and response["Location"] == "/quan-tri/thu-dien-tu-loi/"
    run_queued_jobs()
    row.refresh_from_db()
    assert row.state == "sent" and len(smtp.messages) == 1
    assert f'data-delivery="{row.pk}"' not in client.get(reverse("web:email_failures")).content.decode()
    # A second press is a Vietnamese message, not an error page.
    response = client.post(reverse("web:email_retry", args=[row.pk]), follow=True)
    assert "Chỉ gửi lại được thư đã gửi không thành công hoặc đã bỏ qua." in response.content.decode()


def test_the_page_abandons_and_is_for_system_administrators_only(
    smtp: Any, make_user: Any, sysadmin: Any, unit_admin: Any, web_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _given_up(smtp, make_user, django_capture_on_commit_callbacks)
    client = web_client(sysadmin)
    assert client.post(reverse("web:email_abandon", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.state == "abandoned"
    page = client.get(reverse("web:email_failures"), {"trang_thai": "abandoned"}).content.decode()
    assert f'data-delivery="{row.pk}"' in page
    assert client.post(reverse("web:email_abandon", args=[999999])).status_code == 404
    other = web_client(unit_admin)
    assert other.get(reverse("web:email_failures")).status_code == 403
    assert other.post(reverse("web:email_retry", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.state == "abandoned"


@pytest.mark.django_db(transaction=True)
def test_the_api_lists_retries_and_abandons(
    smtp: Any, make_user: Any, sysadmin: Any, unit_admin: Any, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _given_up(smtp, make_user, django_capture_on_commit_callbacks)
    client = api_client(sysadmin)
    body = client.get("/api/v1/notifications/email-deliveries").json()
    [item] = body["results"]
    assert (item["id"], item["state"], item["attempts"], item["recipient_email"], item["kind"]) == (
        row.pk, "failed", delivery.MAX_ATTEMPTS, "khoa@moit.gov.vn", "immediate")
    assert "ConnectionRefusedError" in item["last_error"] and item["title"] == "Đôn đốc xử lý văn bản số 12"
    assert client.get("/api/v1/notifications/email-deliveries", {"state": "nope"}).status_code == 400

    smtp.start()
    r = client.post(f"/api/v1/notifications/email-deliveries/{row.pk}/retry", format="json")
    assert r.status_code == 200 and r.json()["state"] == "pending" and r.json()["attempts"] == 0
    run_queued_jobs()
    row.refresh_from_db()
    assert row.state == "sent" and len(smtp.messages) == 1
    r = client.post(f"/api/v1/notifications/email-deliveries/{row.pk}/retry", format="json")
    assert r.status_code == 409 and r.json()["code"] == "wrong_email_state"
    r = client.post(f"/api/v1/notifications/email-deliveries/{row.pk}/abandon", {"reason": "x"}, format="json")
    assert r.status_code == 409
    assert client.post("/api/v1/notifications/email-deliveries/999999/retry", format="json").status_code == 404
    r = client.post(f"/api/v1/notifications/email-deliveries/{row.pk}/abandon", {"reson": "x"}, format="json")
    assert r.status_code == 400

    outsider = api_client(unit_admin)
    assert outsider.get("/api/v1/notifications/email-deliveries").status_code == 403
    assert outsider.post(f"/api/v1/notifications/email-deliveries/{row.pk}/retry", format="json").status_code == 403
