"""E-mail delivery through a real SMTP server: sent after the action commits, by
background work; a failing server is retried with backoff and never blocks, slows down
or rolls back the action that caused the notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from vanban.accounts.services import update_account
from vanban.conftest import run_queued_jobs
from vanban.notifications import delivery, services, tasks
from vanban.notifications.models import EmailDelivery, Notification
from vanban.notifications.tests.conftest import subject, text_and_html
from vanban.workflow.models import Presentation

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def give_email(user, address):
    return update_account(actor=user, user=user, full_name=user.full_name, email=address)


def urge(recipient, actor, n=1):
    return services.notify(
        recipients=[recipient],
        kind="assignment.urged",
        title=f"Đôn đốc xử lý văn bản số {n}",
        body="Đề nghị đồng chí khẩn trương hoàn thành.",
        url=f"/giao-viec/{n}/",
        actor=actor,
    )


@pytest.mark.django_db(transaction=True)
def test_urge_is_emailed_through_smtp_by_the_worker_after_the_action_commits(smtp, make_user):
    leader = make_user(full_name="Hoàng Đức Thắng")
    specialist = make_user(full_name="Mạc Đăng Khoa", email="khoa@moit.gov.vn")
    with transaction.atomic():
        [n] = urge(specialist, leader, 7)
        # Inside the action's transaction: queued, not sent.
        assert n.email_delivery.state == EmailDelivery.State.PENDING
    assert smtp.messages == []  # the action does not wait for the mail server

    run_queued_jobs()  # the worker runs the queued send_emails task

    [message] = smtp.messages
    assert smtp.mailbox.envelopes[0][1] == ["khoa@moit.gov.vn"]
    assert subject(message) == "[Văn bản điện tử] Đôn đốc xử lý văn bản số 7"
    text, html = text_and_html(message)
    assert "Kính gửi Mạc Đăng Khoa" in text and "Đề nghị đồng chí khẩn trương hoàn thành." in text
    assert "Người thực hiện: Hoàng Đức Thắng" in text
    assert f"/thong-bao/{n.pk}/mo/" in text and f'href="http://127.0.0.1:8000/thong-bao/{n.pk}/mo/"' in html
    assert "Đôn đốc xử lý" in html  # the kind's Vietnamese label
    sent = EmailDelivery.objects.get(notification=n)
    assert (sent.state, sent.attempts, sent.to_address, sent.last_error) == ("sent", 1, "khoa@moit.gov.vn", "")


@pytest.mark.django_db(transaction=True)
def test_a_presentation_reaches_the_leader_by_email_when_they_asked_for_it_at_once(smtp, flow):
    give_email(flow.leader, "bo.truong@moit.gov.vn")
    services.set_preferences(actor=flow.leader, user=flow.leader, email={"presentation.received": "immediate"})

    presentation = flow.present(proposal="Đề nghị giao Cục Xuất nhập khẩu chủ trì")
    run_queued_jobs()

    [message] = smtp.messages
    assert subject(message) == f"[Văn bản điện tử] Văn bản trình xin ý kiến chỉ đạo: {flow.doc.subject}"
    text, _ = text_and_html(message)
    assert "Đề xuất: Đề nghị giao Cục Xuất nhập khẩu chủ trì" in text
    n = Notification.objects.get(recipient=flow.leader)
    assert n.url == f"/trinh/{presentation.pk}/"


def test_a_dead_mail_server_is_retried_with_backoff_then_delivered(
    db, smtp, make_user, django_capture_on_commit_callbacks
):
    smtp.stop()
    person = make_user(email="a@moit.gov.vn")
    with django_capture_on_commit_callbacks(execute=False):
        [n] = urge(person, None)
    t0 = timezone.now()

    assert delivery.send_deliveries([n.email_delivery.pk], now=t0) == {"sent": 0, "failed": 1}
    row = EmailDelivery.objects.get(notification=n)
    assert (row.state, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at == t0 + dt.timedelta(minutes=1)

    # Not due yet: the sweep leaves it alone.
    assert delivery.deliver_due(now=t0 + dt.timedelta(seconds=30)) == {"sent": 0, "failed": 0}
    # Still down at the second attempt: the wait grows.
    assert delivery.deliver_due(now=t0 + dt.timedelta(minutes=1)) == {"sent": 0, "failed": 1}
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == t0 + dt.timedelta(minutes=6)

    smtp.start()
    assert delivery.deliver_due(now=t0 + dt.timedelta(minutes=6)) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(smtp.messages) == 1
    # Sent is sent: another sweep sends nothing twice.
    assert delivery.deliver_due(now=t0 + dt.timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_an_email_is_given_up_after_the_last_attempt(db, smtp, make_user, django_capture_on_commit_callbacks):
    smtp.stop()
    person = make_user(email="a@moit.gov.vn")
    with django_capture_on_commit_callbacks(execute=False):
        [n] = urge(person, None)
    now = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS):
        assert delivery.deliver_due(now=now)["failed"] == 1
        now += dt.timedelta(days=1)
    row = EmailDelivery.objects.get(notification=n)
    assert (row.state, row.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    smtp.start()
    assert delivery.deliver_due(now=now + dt.timedelta(days=1)) == {"sent": 0, "failed": 0}
    assert smtp.messages == []


def test_the_action_succeeds_and_is_not_rolled_back_when_the_mail_server_is_down(
    db, smtp, flow, settings, django_capture_on_commit_callbacks
):
    # The e-mail is sent in-process right after commit (immediate task backend), the
    # worst case for the action: the server is down.
    settings.TASKS = IMMEDIATE_TASKS
    smtp.stop()
    give_email(flow.leader, "bo.truong@moit.gov.vn")
    services.set_preferences(actor=flow.leader, user=flow.leader, email={"presentation.received": "immediate"})

    with django_capture_on_commit_callbacks(execute=True):
        presentation = flow.present()

    assert Presentation.objects.get(pk=presentation.pk).status == Presentation.Status.PENDING
    n = Notification.objects.get(recipient=flow.leader, kind="presentation.received")
    row = n.email_delivery
    assert (row.state, row.attempts) == ("pending", 1) and "ConnectionRefusedError" in row.last_error


def test_the_action_succeeds_when_the_task_queue_itself_is_unreachable(
    db, smtp, flow, monkeypatch, django_capture_on_commit_callbacks
):
    class UnreachableQueue:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks, "send_emails", UnreachableQueue())
    give_email(flow.leader, "bo.truong@moit.gov.vn")
    services.set_preferences(actor=flow.leader, user=flow.leader, email={"presentation.received": "immediate"})
    with django_capture_on_commit_callbacks(execute=True):
        presentation = flow.present()
    assert presentation.pk is not None
    # The worker's sweep picks up what was never queued.
    assert delivery.deliver_due() == {"sent": 1, "failed": 0}
    assert subject(smtp.messages[0]).endswith(flow.doc.subject)


def test_a_rolled_back_action_notifies_and_emails_nobody(db, smtp, make_user, django_capture_on_commit_callbacks):
    person = make_user(email="a@moit.gov.vn")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        urge(person, None)
        raise RuntimeError("the action failed after notifying")
    assert callbacks == []
    assert not Notification.objects.exists() and not EmailDelivery.objects.exists()
    assert delivery.deliver_due() == {"sent": 0, "failed": 0}
    assert smtp.messages == []


def test_people_without_an_address_or_inactive_get_no_email(db, make_user):
    no_address = make_user()
    [n] = urge(no_address, None)
    assert n.email_mode == "" and not EmailDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_due_emails_in_its_periodic_hook(smtp, make_user, monkeypatch):
    class LostTask:
        def enqueue(self, *args, **kwargs):
            return None

    monkeypatch.setattr(tasks, "send_emails", LostTask())
    person = make_user(email="a@moit.gov.vn")
    urge(person, None)
    call_command("worker", batch=True, interval=0, verbosity=0)
    assert len(smtp.messages) == 1
    assert EmailDelivery.objects.get().state == "sent"


def test_deliver_command_sends_due_emails(db, smtp, make_user, capsys, django_capture_on_commit_callbacks):
    person = make_user(email="a@moit.gov.vn")
    with django_capture_on_commit_callbacks(execute=False):
        urge(person, None)
    call_command("notifications", "deliver")
    assert capsys.readouterr().out.strip() == "Thư thông báo: 1 đã gửi, 0 lỗi."
    assert len(smtp.messages) == 1
