"""Each demo role logs in and sees the navigation its work needs; a screenshot of each
main page is kept under test-output/screenshots/."""

from __future__ import annotations

import pytest

from vanban.e2e.conftest import login, shot

pytestmark = pytest.mark.browser

ADMIN_KEYS = {"units", "accounts", "account_import"}
SYSADMIN_KEYS = {"positions", "security_policy", "audit", "usage"}
EVERYONE = {"home", "jobs", "directory"}

CASES = [
    ("quantri", EVERYONE | ADMIN_KEYS | SYSADMIN_KEYS | {"delegations"}, set()),
    ("qt.xnk", EVERYONE | ADMIN_KEYS | {"delegations"}, SYSADMIN_KEYS),
    ("vanthu.bo", EVERYONE | {"delegations"}, ADMIN_KEYS | SYSADMIN_KEYS),
    ("vanthu.xnk", EVERYONE | {"delegations"}, ADMIN_KEYS | SYSADMIN_KEYS),
    ("bt.hoang", EVERYONE | {"delegations"}, ADMIN_KEYS | SYSADMIN_KEYS),
    ("ct.xnk", EVERYONE | {"delegations"}, ADMIN_KEYS | SYSADMIN_KEYS),
    ("cv.khtc", EVERYONE, ADMIN_KEYS | SYSADMIN_KEYS | {"delegations"}),
]


@pytest.mark.parametrize(("username", "expected", "absent"), CASES, ids=[c[0] for c in CASES])
def test_each_role_sees_its_navigation(page, demo_data, username, expected, absent):
    login(page, username, demo_data[username].password)
    keys = set(page.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)"))
    assert expected <= keys, f"missing: {expected - keys}"
    assert not (absent & keys), f"should not see: {absent & keys}"
    hrefs = page.locator("[data-nav]").evaluate_all("els => els.map(e => [e.dataset.nav, e.getAttribute('href')])")
    for key, href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, f"{key} {href} -> {response and response.status}"
        shot(page, f"{username}-{key}")


def test_pages_fit_a_phone_screen(browser, live_server, demo_data):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", base_url=live_server.url)
    page = context.new_page()
    try:
        login(page, "quantri", demo_data["quantri"].password)
        for path, name in [("/", "home"), ("/quan-tri/tai-khoan/", "accounts"), ("/quan-tri/don-vi/", "units"),
                           ("/tac-vu/", "jobs"), ("/danh-ba/", "directory")]:
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a 360px phone"
            shot(page, f"phone-{name}")
        page.click(".navbar-toggler")
        assert page.locator("[data-nav=accounts]").first.is_visible() or page.locator("[data-nav-section=admin]").is_visible()
    finally:
        context.close()
