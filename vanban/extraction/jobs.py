"""The background job that OCRs a scan for a proposal."""

from __future__ import annotations

from typing import Any

from vanban.jobs.registry import ProgressFn, register


@register("extraction.read")
def read_proposal(job: Any, progress: ProgressFn) -> dict[str, Any]:
    from vanban.extraction.services import read_in_job

    return read_in_job(job.params["proposal"], progress)
