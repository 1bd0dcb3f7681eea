"""Nộp lưu reminders: 30 days before a closed file is due for transfer to the archive
(domain.md §5: the anchor — one year after the work ends — is our reading of ND30
Art 31), the clerks who keep it are notified once. Run by `vanban records remind`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from vanban.core.timeutil import format_date, today
from vanban.organisation.models import RoleGrant
from vanban.organisation.roles import Role
from vanban.records.models import Dossier, Transfer
from vanban.records.services import TRANSFER_WITHIN_YEARS, transfer_due

NOTICE_DAYS = 30


def _keepers(dossier: Dossier) -> list[Any]:
    q = Q(role=Role.MINISTRY_CLERK)
    if dossier.unit_id:
        ancestors = [int(x) for x in dossier.unit.path.strip("/").split("/") if x]
        q |= Q(role=Role.UNIT_CLERK, unit_id__in=ancestors)
    ids = RoleGrant.objects.filter(q).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


@transaction.atomic
def remind_transfers_due(*, on: dt.date | None = None) -> int:
    """Notify the keepers of every closed file due for transfer within 30 days (or
    overdue) and not yet on an approved list. Returns how many files were announced."""
    from vanban.notifications.services import notify

    day = on or today()
    # end_date + 1 year <= day + 30 days  ⇔  end_date <= day + 30 days − 1 year
    horizon = day + dt.timedelta(days=NOTICE_DAYS)
    latest_end = horizon.replace(year=horizon.year - TRANSFER_WITHIN_YEARS) if not (
        horizon.month == 2 and horizon.day == 29) else horizon.replace(year=horizon.year - 1, day=28)  # fmt: skip
    dossiers = (Dossier.objects.filter(state=Dossier.State.CLOSED, end_date__lte=latest_end)
                .exclude(transfers__state__in=[Transfer.State.APPROVED, Transfer.State.EXPORTING,
                                               Transfer.State.EXPORTED])
                .select_related("unit").distinct())  # fmt: skip
    count = 0
    for dossier in dossiers:
        due = transfer_due(dossier)
        notify(recipients=_keepers(dossier), kind="records.transfer_due",
               title=f"Hồ sơ {dossier.notation} ({dossier.year}) đến hạn nộp lưu ngày {format_date(due)}",
               body=f"{dossier.title}. Lập danh sách nộp lưu để trình lãnh đạo duyệt.",
               url=f"/ho-so/{dossier.pk}/", target=dossier, dedupe_key=f"records.transfer_due:{dossier.pk}")  # fmt: skip
        count += 1
    return count
