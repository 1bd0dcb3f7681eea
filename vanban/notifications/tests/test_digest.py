"""The daily digest: one e-mail per person per day, from the digest time on (17:00
Vietnam time by default), with the unread notifications of the kinds they want by
digest; sent by the worker's periodic hook or `vanban notifications digest`."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from vanban.notifications import delivery, services
from vanban.notifications.models import DigestRun, EmailDelivery, Notification
from vanban.notifications.tests.conftest import subject, text_and_html

# Vietnam is UTC+7: these are 10:00, 16:59, 17:01, 17:30 and 18:00 on 24/11/2026 in Hà Nội.
MORNING, BEFORE, AFTER, LATER, EVENING = (
    "2026-11-24 03:00:00",
    "2026-11-24 09:59:00",
    "2026-11-24 10:01:00",
    "2026-11-24 10:30:00",
    "2026-11-24 11:00:00",
)
NEXT_DAY = "2026-11-25 10:05:00"


def assigned(person, n):
    return services.notify(recipients=[person], kind="assignment.assigned", title=f"Được giao xử lý văn bản {n}",
                           url=f"/giao-viec/{n}/")  # fmt: skip


def test_digest_goes_out_once_a_day_after_the_digest_time_with_the_unread_ones(
    db, make_user, django_capture_on_commit_callbacks
):
    person = make_user(full_name="Mạc Đăng Khoa", email="khoa@moit.gov.vn")
    with freeze_time(MORNING), django_capture_on_commit_callbacks(execute=False):
        assigned(person, 1)
        assigned(person, 2)
        [read] = assigned(person, 3)
        services.mark_read(user=person, ids=[read.pk])
        # An urge is e-mailed at once by default, never in the digest.
        services.notify(recipients=[person], kind="assignment.urged", title="Đôn đốc xử lý văn bản 4")

    with freeze_time(BEFORE):
        delivery.run_periodic()
    assert [m.subject for m in mail.outbox] == ["[Văn bản điện tử] Đôn đốc xử lý văn bản 4"]
    assert not DigestRun.objects.exists()

    with freeze_time(AFTER):
        assert delivery.run_periodic() == {"digests": 1, "sent": 1, "failed": 0}
    digest = mail.outbox[-1]
    assert digest.subject == "[Văn bản điện tử] Tổng hợp thông báo ngày 24/11/2026 (2 thông báo chưa đọc)"
    assert digest.to == ["khoa@moit.gov.vn"]
    assert "Được giao xử lý văn bản 1" in digest.body and "Được giao xử lý văn bản 2" in digest.body
    assert "văn bản 3" not in digest.body and "văn bản 4" not in digest.body
    assert "Được giao xử lý văn bản (2)" in digest.body  # grouped under the kind's label
    [(html, mimetype)] = digest.alternatives
    assert mimetype == "text/html" and "Được giao xử lý văn bản 1" in html

    with freeze_time(LATER):
        assert delivery.run_periodic() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2

    # Later the same day: a new notification, and someone runs the command by hand. The
    # person already had today's digest, so none goes out; it waits for tomorrow's.
    with freeze_time(EVENING):
        [late] = assigned(person, 5)
        call_command("notifications", "digest")
    assert len(mail.outbox) == 2

    with freeze_time(NEXT_DAY):
        assert delivery.run_periodic()["digests"] == 1
    tomorrow = mail.outbox[-1]
    assert tomorrow.subject.endswith("ngày 25/11/2026 (1 thông báo chưa đọc)")
    assert "Được giao xử lý văn bản 5" in tomorrow.body and "văn bản 1" not in tomorrow.body
    late.refresh_from_db()
    assert late.digest is not None
    assert EmailDelivery.objects.filter(kind="digest", recipient=person).count() == 2
    assert list(DigestRun.objects.order_by("day").values_list("day", flat=True)) == [
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 25),
    ]


def test_digest_honours_preferences_and_skips_people_with_nothing_unread(
    db, make_user, django_capture_on_commit_callbacks
):
    digest_person = make_user(email="a@moit.gov.vn")
    off_person = make_user(email="b@moit.gov.vn")
    switched_off_later = make_user(email="c@moit.gov.vn")
    nothing_unread = make_user(email="d@moit.gov.vn")
    services.set_preferences(actor=off_person, user=off_person, email={"assignment.assigned": "off"})
    with freeze_time(MORNING), django_capture_on_commit_callbacks(execute=False):
        for person in (digest_person, off_person, switched_off_later, nothing_unread):
            assigned(person, person.pk)
        services.mark_read(user=nothing_unread)
    services.set_preferences(actor=switched_off_later, user=switched_off_later, email={"assignment.assigned": "off"})

    with freeze_time(AFTER):
        result = delivery.send_daily_digests()
    assert result == {"digests": 1, "sent": 1, "failed": 0}
    assert [m.to for m in mail.outbox] == [["a@moit.gov.vn"]]
    assert Notification.objects.get(recipient=off_person).email_mode == "off"


def test_digest_command_prints_a_summary_and_records_the_day(db, make_user, capsys):
    person = make_user(email="a@moit.gov.vn")
    with freeze_time(MORNING):
        assigned(person, 1)
    with freeze_time(AFTER):
        call_command("notifications", "digest")
    assert capsys.readouterr().out.strip() == "Thư tổng hợp ngày 24/11/2026: 1 thư mới, 1 đã gửi, 0 lỗi."
    assert DigestRun.objects.get().day == dt.date(2026, 11, 24)
    # The worker's hook later that day finds the day done.
    with freeze_time(LATER):
        assert "digests" not in delivery.run_periodic()


def test_digest_through_a_real_smtp_server_is_plain_text_and_html(db, smtp, make_user):
    person = make_user(full_name="Bùi Thị Mai", email="mai@moit.gov.vn")
    with freeze_time(MORNING):
        assigned(person, 1)
        services.notify(recipients=[person], kind="outgoing.review", title="Dự thảo chờ duyệt: V/v báo cáo quý IV")
    now = dt.datetime(2026, 11, 24, 10, 1, tzinfo=dt.UTC)
    assert delivery.send_daily_digests(now=now) == {"digests": 1, "sent": 1, "failed": 0}
    [message] = smtp.messages
    assert subject(message) == "[Văn bản điện tử] Tổng hợp thông báo ngày 24/11/2026 (2 thông báo chưa đọc)"
    text, html = text_and_html(message)
    assert "Kính gửi Bùi Thị Mai" in text and "Dự thảo chờ duyệt (1)" in text
    assert "Dự thảo chờ duyệt: V/v báo cáo quý IV" in html and "/tai-khoan/ca-nhan/thong-bao/" in html


def test_worker_runs_the_digest_from_its_periodic_hook(db, make_user, settings):
    settings.VANBAN_NOTIFICATIONS_DIGEST_TIME = "08:30"
    person = make_user(email="a@moit.gov.vn")
    with freeze_time("2026-11-24 00:00:00"):  # 07:00 in Hà Nội
        assigned(person, 1)
        delivery.run_periodic()
    assert mail.outbox == []
    with freeze_time("2026-11-24 01:31:00"):  # 08:31
        delivery.run_periodic()
    assert len(mail.outbox) == 1
