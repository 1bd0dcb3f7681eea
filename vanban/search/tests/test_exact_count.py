"""A lower-bound count («hơn N») comes with its exact figure on request: «Đếm chính xác» on
the results page fetches it, and the API answers it at /api/v1/search/count. It counts only what
the person may open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from vanban.documents.tests.docs_world import World
from vanban.search import selectors
from vanban.search.selectors import SearchParams, count_matches, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_meetings(world: World, incoming: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    base = timezone.now() - dt.timedelta(days=20)
    docs = [incoming(subject=f"Thông báo lịch công tác tuần {i}", arrival_date=base + dt.timedelta(days=i),
                     issued_date=(base - dt.timedelta(days=1)).date()) for i in range(5)]  # fmt: skip
    # One the unit clerk registers in the unit's register: the only one they may open.
    docs.append(incoming(world.unit_clerk, subject="Lịch công tác của Cục tuần 6"))
    incoming(subject="Kế hoạch công tác năm")  # "công tác" without "lịch"
    # Small limits stand for the 1,000 and 10,000 of a large install.
    monkeypatch.setattr(selectors, "WALK_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 3)
    return docs


def test_the_exact_count_behind_a_lower_bound(world: World, six_meetings: list[Any]) -> None:
    params = SearchParams(q="lich cong tac", page_size=2)
    result = search(world.ministry_clerk, params)
    assert (result.total, result.total_exact) == (3, False)
    assert count_matches(world.ministry_clerk, SearchParams(q="lich cong tac")) == 6
    assert count_matches(world.ministry_clerk, SearchParams(q="lịch công tác")) == 6
    assert count_matches(world.unit_clerk, SearchParams(q="lich cong tac")) == 1
    assert count_matches(world.specialist, SearchParams(q="lich cong tac")) == 0
    # Filters apply: only the Cục's document is dated within the last week.
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    assert count_matches(world.ministry_clerk, SearchParams(q="lich cong tac", date_from=week_ago)) == 1


def test_the_page_offers_the_exact_count_and_fetches_it_on_request(
    world: World, six_meetings: list[Any], web_client: Any
) -> None:
    client = web_client(world.ministry_clerk)
    page = client.get("/tim-kiem/", {"q": "lich cong tac", "page_size": 2}).content.decode()
    assert "hơn 3</strong>" in page
    assert 'hx-get="/tim-kiem/dem/?q=lich+cong+tac&amp;page_size=2"' in page and "Đếm chính xác</button>" in page
    fragment = client.get("/tim-kiem/dem/", {"q": "lich cong tac", "page_size": 2}).content.decode()
    assert 'data-testid="exact-count"' in fragment and "<strong>6</strong> văn bản" in fragment
    assert (
        "<strong>0</strong>"
        in web_client(world.specialist).get("/tim-kiem/dem/", {"q": "lich cong tac"}).content.decode()
    )
    assert client.get("/tim-kiem/dem/", {"date_from": "2026-05-01", "date_to": "2026-04-01"}).status_code == 400
    # An exact count needs no second request.
    exact = client.get("/tim-kiem/", {"q": "ke hoach cong tac nam"}).content.decode()
    assert "Tìm thấy <strong>1</strong>" in exact and "/tim-kiem/dem/" not in exact


def test_api_count(world: World, six_meetings: list[Any], api_client: Any) -> None:
    api = api_client(world.ministry_clerk)
    assert api.get("/api/v1/search", {"q": "lich cong tac"}).json()["count_exact"] is False
    assert api.get("/api/v1/search/count", {"q": "lich cong tac"}).json() == {"count": 6, "count_exact": True}
    assert api_client(world.unit_clerk).get("/api/v1/search/count", {"q": "lich cong tac"}).json()["count"] == 1
    bad = api.get("/api/v1/search/count", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert bad.status_code == 400 and bad.json()["code"].startswith("invalid_")


def test_a_count_that_runs_too_long_is_stopped(
    world: World, six_meetings: list[Any], monkeypatch: pytest.MonkeyPatch, web_client: Any, api_client: Any
) -> None:
    """The database stops the count after COUNT_TIMEOUT_S (PostgreSQL's statement timeout,
    a progress handler on SQLite): the page says so, the API answers a null count, and
    the connection works on."""
    from vanban.search.models import SearchEntry

    # A condition costing seconds on either engine stands for a million matches.
    slow = SearchEntry.objects.extra(where=[
        "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) "
        "SELECT count(*) FROM c) > 0"
    ])  # fmt: skip
    monkeypatch.setattr(selectors, "matching_entries", lambda user, params: slow)
    monkeypatch.setattr(selectors, "COUNT_TIMEOUT_S", 0.2)
    assert count_matches(world.ministry_clerk, SearchParams(q="lich cong tac")) is None
    page = web_client(world.ministry_clerk).get("/tim-kiem/dem/", {"q": "lich cong tac"}).content.decode()
    assert "Quá nhiều kết quả để đếm chính xác" in page
    body = api_client(world.ministry_clerk).get("/api/v1/search/count", {"q": "lich cong tac"}).json()
    assert body == {"count": None, "count_exact": False}
    assert search(world.ministry_clerk, SearchParams(q="lich cong tac")).hits  # the connection is usable
