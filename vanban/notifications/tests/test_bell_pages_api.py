"""The bell, the "Thông báo" page and the API: each person sees, opens and marks only
their own notifications; another person's id is a 404 and marks nothing."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from vanban.notifications import selectors, services
from vanban.notifications.models import Notification


def several(person, n, kind="system", actor=None):
    rows = []
    for i in range(n):
        rows += services.notify(recipients=[person], kind=kind, title=f"Thông báo số {i + 1}", url=f"/giao-viec/{i}/",
                                actor=actor)  # fmt: skip
    return rows


# --- the bell -----------------------------------------------------------------------


def test_bell_count_fragment_shows_the_unread_count_and_keeps_polling(make_user, web_client, settings):
    settings.VANBAN_BELL_POLL_SECONDS = 30
    person, other = make_user(), make_user()
    several(person, 3)
    several(other, 5)
    client = web_client(person)
    html = client.get(reverse("web:bell_count")).content.decode()
    assert 'data-testid="bell-count">3<' in html
    assert 'hx-trigger="every 30s"' in html and "vb-bell-live" in html
    services.mark_read(user=person)
    html = client.get(reverse("web:bell_count")).content.decode()
    assert 'data-testid="bell-count"' not in html and 'hx-trigger="every 30s"' in html


def test_bell_count_caps_at_99(make_user, web_client):
    person = make_user()
    several(person, 100)
    assert ">99+<" in web_client(person).get(reverse("web:bell_count")).content.decode()


def test_a_signed_out_tab_is_told_to_stop_polling(db):
    response = Client().get(reverse("web:bell_count"))
    assert response.status_code == 286 and response.content == b""


def test_polling_the_bell_does_not_keep_an_idle_session_alive(make_user):
    person = make_user()
    client = Client()
    client.force_login(person)
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=session.expire_date.replace(year=2030))
    before = Session.objects.get().expire_date
    assert client.get(reverse("web:bell_count")).status_code == 200
    assert Session.objects.get().expire_date == before
    client.get(reverse("web:notifications"))  # a real page view counts as activity
    assert Session.objects.get().expire_date != before


def test_every_page_has_the_bell_without_paying_a_query_for_it(make_user, web_client):
    html = web_client(make_user()).get(reverse("web:home")).content.decode()
    assert 'data-testid="bell"' in html
    assert f'hx-get="{reverse("web:bell_count")}" hx-trigger="load"' in html
    assert "django_htmx/htmx-2.min.js" in html  # served locally, not from a CDN


def test_bell_menu_lists_the_latest_own_notifications(make_user, web_client, django_assert_max_num_queries):
    person, other, actor = make_user(), make_user(), make_user(full_name="Hoàng Đức Thắng")
    several(person, 10, actor=actor)
    several(other, 2)
    client = web_client(person)
    client.get(reverse("web:home"))
    with django_assert_max_num_queries(12):
        html = client.get(reverse("web:bell_recent"), headers={"HX-Request": "true",
                                                               "HX-Current-URL": "http://testserver/van-ban-den/"}).content.decode()  # fmt: skip
    assert html.count("data-notification=") == selectors.RECENT
    assert "Thông báo số 10" in html and "Hoàng Đức Thắng" in html
    assert 'name="next" value="/van-ban-den/"' in html
    theirs = Notification.objects.filter(recipient=other).values_list("pk", flat=True)
    assert not any(f'data-notification="{pk}"' in html for pk in theirs)


# --- the page ------------------------------------------------------------------------


def test_list_pages_and_filters_unread(make_user, web_client, django_assert_max_num_queries):
    person = make_user()
    rows = several(person, 25)
    services.mark_read(user=person, ids=[rows[0].pk, rows[1].pk])
    several(make_user(), 3)
    client = web_client(person)
    client.get(reverse("web:notifications"))
    with django_assert_max_num_queries(14):
        page1 = client.get(reverse("web:notifications")).content.decode()
    assert page1.count("data-notification=") == 20 and "Trang 1/2" in page1
    assert "Thông báo số 25" in page1  # newest first
    page2 = client.get(reverse("web:notifications") + "?page=2").content.decode()
    assert page2.count("data-notification=") == 5
    unread = client.get(reverse("web:notifications") + "?unread=1").content.decode()
    assert unread.count("data-notification=") == 20 and 'data-testid="unread-total">23<' in unread
    unread2 = client.get(reverse("web:notifications") + "?unread=1&page=2").content.decode()
    assert unread2.count("data-notification=") == 3
    assert "Thông báo số 1<" not in unread2 and "Thông báo số 2<" not in unread2


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(make_user, web_client):
    person = make_user()
    [n] = services.notify(recipients=[person], kind="system", title="Mở", url="/giao-viec/42/")
    response = web_client(person).get(reverse("web:notification_open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/giao-viec/42/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_notification_never_redirects_off_site(make_user, web_client):
    person = make_user()
    [n] = services.notify(recipients=[person], kind="system", title="Lạ", url="//evil.example/")
    response = web_client(person).get(reverse("web:notification_open", args=[n.pk]))
    assert response["Location"] == "/thong-bao/"


def test_nobody_opens_or_marks_another_persons_notification(make_user, web_client):
    owner, intruder = make_user(), make_user()
    [n] = services.notify(recipients=[owner], kind="system", title="Riêng tư")
    client = web_client(intruder)
    assert client.get(reverse("web:notification_open", args=[n.pk])).status_code == 404
    response = client.post(reverse("web:notifications_mark_read"), {"ids": [n.pk]}, follow=True)
    assert "Không tìm thấy thông báo." in response.content.decode()
    assert "Riêng tư" not in client.get(reverse("web:notifications")).content.decode()
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_selected_and_mark_all_read(make_user, web_client):
    person = make_user()
    rows = several(person, 4)
    client = web_client(person)
    response = client.post(reverse("web:notifications_mark_read"),
                           {"ids": [rows[0].pk, rows[1].pk], "next": "/thong-bao/?unread=1"})  # fmt: skip
    assert response["Location"] == "/thong-bao/?unread=1"
    assert selectors.unread_count(person) == 2
    response = client.post(reverse("web:notifications_mark_read"), {"all": "1", "next": "https://evil.example/"},
                           follow=True)  # fmt: skip
    assert "Đã đánh dấu 2 thông báo là đã đọc." in response.content.decode()
    assert response.redirect_chain[-1][0] == "/thong-bao/"
    assert selectors.unread_count(person) == 0


# --- the API -------------------------------------------------------------------------


def test_api_lists_own_notifications_paged_and_unread_only(make_user, api_client, django_assert_max_num_queries):
    person, other = make_user(), make_user(full_name="Người khác")
    rows = several(person, 6, kind="assignment.urged", actor=other)
    services.mark_read(user=person, ids=[rows[0].pk])
    several(other, 2)
    client = api_client(person)
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/notifications?page_size=4").json()
    assert body["count"] == 6 and len(body["results"]) == 4 and body["next"]
    first = body["results"][0]
    assert first["title"] == "Thông báo số 6" and first["kind_label"] == "Đôn đốc xử lý"
    assert first["actor_name"] == "Người khác" and first["is_read"] is False and first["email_state"] == ""
    assert first["created_at"].endswith("+07:00")
    unread = client.get("/api/v1/notifications?unread=1").json()
    assert unread["count"] == 5 and all(not r["is_read"] for r in unread["results"])
    assert client.get("/api/v1/notifications?unread=perhaps").status_code == 400


def test_api_unread_count_and_mark_read(make_user, api_client):
    person = make_user()
    rows = several(person, 3)
    client = api_client(person)
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 3}
    marked = client.post("/api/v1/notifications/read", {"ids": [rows[0].pk]}, format="json")
    assert marked.status_code == 200 and marked.json() == {"marked": 1, "unread": 2}
    assert client.post("/api/v1/notifications/read", {"all": True}, format="json").json() == {"marked": 2, "unread": 0}
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"ids": [0]},
                                  {"all": False}, {"ids": [1], "extra": 1}])  # fmt: skip
def test_api_refuses_bad_mark_read_bodies(make_user, api_client, body):
    person = make_user()
    several(person, 1)
    response = api_client(person).post("/api/v1/notifications/read", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"code", "message", "field"}
    assert selectors.unread_count(person) == 1


def test_api_answers_404_for_another_persons_notification_and_marks_nothing(make_user, api_client):
    owner, intruder = make_user(), make_user()
    [theirs] = services.notify(recipients=[owner], kind="system", title="Riêng tư")
    [mine] = services.notify(recipients=[intruder], kind="system", title="Của tôi")
    client = api_client(intruder)
    assert client.get(f"/api/v1/notifications/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/notifications/{mine.pk}").json()["title"] == "Của tôi"
    response = client.post("/api/v1/notifications/read", {"ids": [mine.pk, theirs.pk]}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    # Nothing half-done: not even the caller's own one was marked.
    assert selectors.unread_count(intruder) == 1 and selectors.unread_count(owner) == 1
    assert [r["title"] for r in client.get("/api/v1/notifications").json()["results"]] == ["Của tôi"]


def test_api_needs_authentication(db):
    from rest_framework.test import APIClient

    client = APIClient()
    for url in ("/api/v1/notifications", "/api/v1/notifications/unread-count", "/api/v1/me/notification-preferences"):
        assert client.get(url).status_code == 401
