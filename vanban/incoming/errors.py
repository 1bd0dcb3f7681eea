"""Errors of incoming registration. Codes are stable (the API returns them)."""

from __future__ import annotations

from typing import Any

from vanban.core.errors import Conflict, VanbanError


class IncomingError(VanbanError):
    """A registration that cannot be accepted as given."""


class DuplicateSuspected(Conflict):
    """The document looks registered already (App VI III.1.h): the clerk sees the
    earlier registrations and may confirm. `matches` lists them."""

    def __init__(self, matches: list[dict[str, Any]]) -> None:
        numbers = ", ".join(
            f"số đến {m['arrival_number']}/{m['year']} ngày {m['arrival_date_display']}" for m in matches
        )
        super().__init__(
            "possible_duplicate",
            f"Văn bản này có thể đã được đăng ký ({numbers}). "
            "Hãy kiểm tra; nếu đúng là văn bản khác, xác nhận «Vẫn đăng ký».",
            "confirm_duplicate",
        )
        self.matches = matches
