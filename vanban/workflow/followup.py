"""Reminders, overdue notices and escalation (đôn đốc tự động), run by the worker's
periodic hook and by `vanban deadlines run`.

The run is idempotent: every notice carries a dedupe key (a reminder per assignment and
day; an overdue notice and an escalation per assignment and deadline, so an approved
extension starts them afresh), so running it every few minutes, or twice after a
restart, tells nobody twice. Time comes in as `today`, so tests control the clock."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from vanban.core.timeutil import format_date
from vanban.notifications.services import notify
from vanban.workcalendar.calendar import WorkCalendar, get_settings
from vanban.workflow.models import Assignment
from vanban.workflow.services import assignment_url, handlers_of, subject_label, supervisors_of

logger = logging.getLogger(__name__)

FOLLOWUP_RELATED = ("document", "task", "assignee_unit", "assignee_user", "assigned_by")


@dataclass
class FollowupResult:
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0
    checked: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"checked": self.checked, "reminders": self.reminders, "overdue": self.overdue,
                "escalations": self.escalations, "errors": self.errors}  # fmt: skip


def run_followup(*, today: dt.date | None = None) -> FollowupResult:
    """Send what is due on `today` (Vietnam's today by default). Only open assignments
    that have a deadline and are worked (not "để biết") are looked at, so a completed,
    returned or read assignment never gets a reminder."""
    today = today or timezone.localdate()
    config = get_settings()
    calendar = WorkCalendar(config.weekend_days)
    result = FollowupResult()
    # Nothing is due before the reminder window opens: bound the scan by date.
    horizon = calendar.add_working_days(today, config.reminder_days)
    candidates = (
        Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES, deadline__isnull=False, deadline__lte=horizon)
        .exclude(role=Assignment.Role.INFO)
        .select_related(*FOLLOWUP_RELATED)
        .order_by("deadline", "pk")
    )
    working_today = calendar.is_working_day(today)
    for a in candidates.iterator(chunk_size=500):
        result.checked += 1
        try:
            with transaction.atomic():
                _follow(a, today, working_today, calendar, config.reminder_days, config.escalation_days, result)
        except Exception as exc:  # one bad row must not stop everyone else's reminders
            logger.exception("follow-up failed for assignment %s", a.pk)
            result.errors.append(f"{a.pk}: {exc}")
    return result


def _follow(
    a: Assignment,
    today: dt.date,
    working_today: bool,
    calendar: WorkCalendar,
    reminder_days: int,
    escalation_days: int,
    result: FollowupResult,
) -> None:
    deadline = a.deadline
    assert deadline is not None
    what = subject_label(a)
    url = assignment_url(a)
    if deadline >= today:
        # Reminders go out on working days only: nobody reads them on a Sunday.
        left = calendar.working_days_between(today, deadline)
        if working_today and left <= reminder_days:
            when = "hôm nay" if deadline == today else f"ngày {format_date(deadline)} (còn {left} ngày làm việc)"
            sent = notify(
                recipients=handlers_of(a),
                kind="assignment.reminder",
                title=f"Sắp đến hạn xử lý {what}"[:300],
                body=f"Hạn xử lý: {when}.",
                url=url,
                target=a,
                dedupe_key=f"reminder:{a.pk}:{today.isoformat()}",
            )
            result.reminders += len(sent)
        return
    sent = notify(
        recipients=handlers_of(a),
        kind="assignment.overdue",
        title=f"Quá hạn xử lý {what}"[:300],
        body=f"Hạn xử lý đã qua: {format_date(deadline)}.",
        url=url,
        target=a,
        dedupe_key=f"overdue:{a.pk}:{deadline.isoformat()}",
    )
    result.overdue += len(sent)
    late = calendar.working_days_between(deadline, today)
    if late >= escalation_days:
        handler = a.assignee_label
        sent = notify(
            recipients=supervisors_of(a),
            kind="assignment.escalated",
            title=f"Việc quá hạn {late} ngày làm việc: {what}"[:300],
            body=f"{handler} chưa hoàn thành, hạn xử lý {format_date(deadline)}.",
            url=url,
            target=a,
            dedupe_key=f"escalated:{a.pk}:{deadline.isoformat()}",
        )
        result.escalations += len(sent)


def periodic_run() -> None:
    """The worker's hook."""
    result = run_followup()
    if result.reminders or result.overdue or result.escalations or result.errors:
        logger.info("deadline follow-up: %s", result.as_dict())
