from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from vanban.organisation.demo import DEMO_PASSWORD
from vanban.web.navigation import NAVIGATION

pytestmark = pytest.mark.django_db

ADMIN_KEYS = {"units", "accounts", "account_import", "positions", "document_types", "security_policy", "audit", "usage",
              "review_routes"}
SYSADMIN_ONLY_KEYS = {"positions", "document_types", "security_policy", "audit", "usage", "backups", "search_admin",
                      "email_failures"}

# username → the navigation keys they must see (beyond "home", "jobs", "directory", "schedule").
EXPECTED = {
    "quantri": ADMIN_KEYS | {"delegations", "registers", "organ_seal", "backups", "search_admin", "work_calendar", "deadline_rules",
                             "exchange_partners", "exchange_outbox", "email_failures"},
    "qt.xnk": {"units", "accounts", "account_import", "delegations", "registers", "review_routes"},
    "vanthu.bo": {"search", "delegations", "registers", "incoming", "awaiting", "outgoing", "organ_seal", "exchange_received", "reports"},
    "vanthu.xnk": {"search", "delegations", "registers", "incoming", "awaiting", "unit", "outgoing", "reports"},
    "bt.hoang": {"search", "delegations", "incoming", "outgoing", "task_new", "tasks", "reports"},
    "ct.xnk": {"search", "delegations", "incoming", "unit", "outgoing", "task_new", "tasks", "reports"},
    "cv.khtc": {"search", "incoming", "outgoing", "tasks", "reports"},
}
# Hồ sơ: files and the file plan for every document reader; transfers for clerks and leaders.
for _user in ("vanthu.bo", "vanthu.xnk", "bt.hoang", "ct.xnk", "cv.khtc"):
    EXPECTED[_user] = EXPECTED[_user] | {"records", "records_plans"}
for _user in ("vanthu.bo", "vanthu.xnk", "bt.hoang", "ct.xnk"):
    EXPECTED[_user] = EXPECTED[_user] | {"records_transfers"}

_NAV_LINK = re.compile(r'<a class="(?:nav-link|dropdown-item)[^"]*" href="(/[^"]*)"(?: data-nav="([^"]+)")?')


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def test_every_navigation_item_reverses():
    names = [item.url_name for section in NAVIGATION for item in section.items]
    for name in names:
        assert reverse(name).startswith("/"), name
    assert {
        "web:units",
        "web:accounts",
        "web:positions",
        "web:security_policy",
        "web:delegations",
        "web:directory",
        "web:jobs",
        "web:account_import",
        "web:audit",
        "web:usage",
    } <= set(names)


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_demo_role_sees_its_navigation_and_every_link_opens(demo, username):
    client = _signed_in(username)
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    links = _NAV_LINK.findall(home.content.decode())
    keys = {key for _, key in links if key}
    assert {"home", "jobs", "directory", "schedule"} <= keys
    assert keys - {"home", "jobs", "directory", "schedule"} == EXPECTED[username]
    if username != "quantri":
        assert not keys & SYSADMIN_ONLY_KEYS
    if username not in ("quantri", "qt.xnk"):
        assert not keys & ADMIN_KEYS
    # The user menu is part of the navigation too.
    urls = {url for url, _ in links}
    assert reverse("web:tokens") in urls and reverse("web:profile") in urls
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code == 200, f"{username}: {url} answered {response.status_code}"


@pytest.mark.parametrize("username", ["vanthu.bo", "bt.hoang", "cv.khtc"])
def test_admin_pages_refuse_people_who_do_not_see_them(demo, username):
    client = _signed_in(username)
    for name in ("web:units", "web:accounts", "web:positions", "web:security_policy"):
        assert client.get(reverse(name)).status_code == 403, name


def test_unit_admin_is_refused_system_admin_pages(demo):
    client = _signed_in("qt.xnk")
    for name in ("web:positions", "web:security_policy"):
        assert client.get(reverse(name)).status_code == 403, name
