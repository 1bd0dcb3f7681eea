"""Reads of the records app, with access applied in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from vanban.core.errors import NotFound
from vanban.records import permissions, services
from vanban.records.models import Dossier, DossierPlan, Transfer


def plans() -> QuerySet[DossierPlan]:
    # The plan is the organ's published list of files: every signed-in person may read it.
    return DossierPlan.objects.select_related("organ", "approved_by").order_by("-year")


def get_plan(pk: Any) -> DossierPlan:
    from django.db.models import Prefetch

    from vanban.records.models import PlanEntry

    entries = PlanEntry.objects.select_related("unit", "responsible", "heading")
    plan = plans().prefetch_related("headings", Prefetch("entries", queryset=entries)).filter(pk=_int(pk)).first()
    if plan is None:
        raise NotFound("Không tìm thấy danh mục hồ sơ.")
    return plan


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None


def dossiers_visible_to(user: Any) -> QuerySet[Dossier]:
    scope = permissions.dossier_visibility_q(user)
    qs = Dossier.objects.select_related("unit").annotate(item_count=Count("items"))
    if scope is not None:
        qs = qs.filter(scope)
    return qs.order_by("-year", "notation", "pk")


def search_dossiers(user: Any, *, state: str = "", year: int | None = None, text: str = "") -> QuerySet[Dossier]:
    qs = dossiers_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    if text:
        from django.db.models import Q

        qs = qs.filter(Q(title__icontains=text) | Q(notation__icontains=text) | Q(keywords__icontains=text))
    return qs


def get_dossier_for(user: Any, pk: Any) -> Dossier:
    dossier = dossiers_visible_to(user).filter(pk=_int(pk)).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


def retention_report(user: Any, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Closed (and transferred, archived) files with their retention, when they are due
    for transfer to the archive and for appraisal, and whether a legal hold blocks disposal."""
    from vanban.core.timeutil import today

    day = on or today()
    rows = []
    qs = dossiers_visible_to(user).exclude(state=Dossier.State.OPEN).order_by("end_date", "pk")
    for dossier in qs:
        transfer_due = services.transfer_due(dossier) if dossier.state == Dossier.State.CLOSED else None
        appraisal_due = services.appraisal_due(dossier)
        rows.append({
            "dossier": dossier, "transfer_due": transfer_due, "appraisal_due": appraisal_due,
            "transfer_overdue": bool(transfer_due and transfer_due <= day),
            "appraisal_reached": bool(appraisal_due and appraisal_due <= day),
            "disposal_blocked": dossier.legal_hold or dossier.retention_permanent,
        })  # fmt: skip
    return rows


def transfers_visible_to(user: Any) -> QuerySet[Transfer]:
    scope = permissions.transfer_visibility_q(user)
    qs = Transfer.objects.select_related("unit", "created_by", "approved_by", "job").prefetch_related(
        "dossiers__unit"
    ).annotate(
        dossier_count=Count("dossiers")
    )
    if scope is not None:
        qs = qs.filter(scope)
    return qs.order_by("-created_at", "-pk")


def get_transfer_for(user: Any, pk: Any) -> Transfer:
    transfer = transfers_visible_to(user).filter(pk=_int(pk)).first()
    if transfer is None:
        raise NotFound("Không tìm thấy danh sách nộp lưu.")
    return transfer


def transferable_for(user: Any) -> QuerySet[Dossier]:
    """Closed files the user manages that are not on an approved list yet."""
    return dossiers_visible_to(user).filter(state=Dossier.State.CLOSED).exclude(
        transfers__state__in=[Transfer.State.APPROVED, Transfer.State.EXPORTING, Transfer.State.EXPORTED]
    )
