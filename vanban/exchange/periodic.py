"""The exchange's periodic work, run by `vanban worker` (jobs.periodic) and by
`vanban exchange deliver` once: deliver the due outbox rows, take in the watched folders."""

from __future__ import annotations

from typing import Any

from vanban.exchange.inbox import scan_folders
from vanban.exchange.outbox import deliver_due


def run_once(*, min_age: float = 1.0) -> dict[str, Any]:
    return {"outbox": deliver_due().as_dict(), "folders": scan_folders(min_age=min_age).as_dict()}
