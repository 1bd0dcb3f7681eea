"""Default deadlines and the warning for a deadline on a day off."""

from __future__ import annotations

import datetime as dt

from vanban.core.timeutil import format_date
from vanban.documents.catalogue import Urgency
from vanban.workcalendar.calendar import WorkCalendar, non_working_reason
from vanban.workcalendar.models import DeadlineRule

# Used when the rules table has no base rule (it is seeded with one).
FALLBACK_DAYS = 10


def rule_days(document_type_id: int | None, urgency: str) -> int:
    """Working days allowed: type+urgency, then type (any urgency), then urgency (any
    type), then the base rule for normal documents."""
    urgency = urgency or Urgency.NORMAL
    qs = DeadlineRule.objects.filter(document_type__isnull=True)
    keys: list[tuple[int | None, str]] = []
    if document_type_id:
        qs = qs | DeadlineRule.objects.filter(document_type_id=document_type_id)
        keys += [(document_type_id, urgency), (document_type_id, "")]
    keys += [(None, urgency), (None, Urgency.NORMAL)]
    rules = {(r.document_type_id, r.urgency): r.working_days for r in qs}
    for key in keys:
        if key in rules:
            return rules[key]
    return FALLBACK_DAYS


def default_deadline(
    *, document_type_id: int | None, urgency: str, start: dt.date, calendar: WorkCalendar | None = None
) -> dt.date:
    """The deadline for work starting on `start`: that many working days after it."""
    return (calendar or WorkCalendar()).add_working_days(start, rule_days(document_type_id, urgency))


def deadline_warning(deadline: dt.date | None) -> str:
    """A deadline on a day off is allowed (the leader may mean it) but worth a second
    look: the message says why."""
    if deadline is None:
        return ""
    reason = non_working_reason(deadline)
    if not reason:
        return ""
    return f"Hạn xử lý {format_date(deadline)} rơi vào {reason}."
