"""Thời hạn bảo quản: a number of years or "Vĩnh viễn"; nothing else is accepted."""

from __future__ import annotations

import re

from vanban.core.text import clean_text
from vanban.records.errors import invalid_retention

_YEARS = re.compile(r"^(\d{1,3})(\s*năm)?$")
MAX_YEARS = 100


def parse_retention(value: object) -> tuple[int | None, bool]:
    """(years, permanent). Accepts 10, "10", "10 năm", "Vĩnh viễn" (any case)."""
    if isinstance(value, bool):
        raise invalid_retention(str(value))
    text = str(value) if isinstance(value, int) else clean_text(str(value or "")).strip()
    lowered = " ".join(text.lower().split())
    if lowered == "vĩnh viễn":
        return None, True
    match = _YEARS.match(lowered)
    if match:
        years = int(match.group(1))
        if 1 <= years <= MAX_YEARS:
            return years, False
    raise invalid_retention(text)
