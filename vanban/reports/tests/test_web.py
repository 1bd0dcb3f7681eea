"""The pages: dashboard, drill-down lists, the report and its exports."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from vanban.reports.tests.conftest import Stats

pytestmark = pytest.mark.django_db

MARCH = "date_from=2026-03-01&date_to=2026-03-31"


def test_dashboard_page_shows_the_figures_and_charts(stats: Stats, at_now: Any, web_client: Any) -> None:
    page = web_client(stats.leader).get(reverse("web:reports_dashboard") + "?" + MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-figure="incoming"[^>]*>6<', html)
    assert re.search(r'data-figure="overdue"[^>]*>1<', html)
    assert "<svg" in html and "Văn bản đến theo loại" in html
    assert 'data-figure="p90_days">9.3<' in html or 'data-figure="p90_days">9,3<' in html


def test_the_statistics_page_is_for_document_readers(stats: Stats, at_now: Any, web_client: Any) -> None:
    clerk = web_client(stats.world.unit_clerk).get(reverse("web:reports_dashboard"))
    assert clerk.status_code == 200
    assert 'data-nav="reports"' in clerk.content.decode()
    assert "Cục Xuất nhập khẩu (gồm đơn vị trực thuộc)" in clerk.content.decode()
    home = web_client(stats.world.sysadmin).get(reverse("web:home"))
    assert 'data-nav="reports"' not in home.content.decode()


def test_a_unit_clerk_cannot_pick_another_unit_on_the_page(stats: Stats, at_now: Any, web_client: Any) -> None:
    client = web_client(stats.world.unit_clerk)
    page = client.get(reverse("web:reports_dashboard") + f"?{MARCH}&unit={stats.world.other.pk}")
    assert page.status_code == 400
    assert 'data-error-for="unit"' in page.content.decode()
