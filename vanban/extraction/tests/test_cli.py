"""`vanban extract FILE [--json]`."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from vanban.extraction.rules import FIELDS

pytestmark = pytest.mark.django_db


def test_json_prints_exactly_one_object_with_every_key(make_page: Callable[..., Any]) -> None:
    path, sample = make_page("pdf", seed=3)
    out = io.StringIO()
    call_command("extract", str(path), "--json", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1
    body = json.loads(lines[0])
    assert list(body) == list(FIELDS)
    assert body["number_symbol"] == sample.labels["number_symbol"]
    assert body["date"] == sample.labels["date"]


def test_without_json_a_readable_vietnamese_summary(make_page: Callable[..., Any]) -> None:
    path, sample = make_page("pdf", seed=3)
    out = io.StringIO()
    call_command("extract", str(path), stdout=out)
    text = out.getvalue()
    assert "Cơ quan ban hành: " + sample.labels["organ"] in text
    y, m, d = sample.labels["date"].split("-")
    assert f"Ngày tháng văn bản: {d}/{m}/{y}" in text
    assert "kiểm tra lại" in text


def test_a_file_that_is_no_page_is_refused(tmp_path: Any) -> None:
    bad = tmp_path / "note.txt"
    bad.write_text("không phải văn bản")
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("extract", str(bad), "--json")
