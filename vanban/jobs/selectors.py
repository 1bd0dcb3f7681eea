from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.jobs.models import Job


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """People see their own jobs; nobody else's (administrators included)."""
    return Job.objects.filter(owner=user)
