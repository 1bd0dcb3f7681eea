"""Danh bạ: every active unit with its people, for everyone signed in (read-only)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.organisation.models import Appointment, Unit
from vanban.web.admin_forms import DirectorySearchForm
from vanban.web.views._admin import matches, tree_rows


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    units = list(
        Unit.objects.filter(status=Unit.Status.ACTIVE).only(
            "pk", "parent_id", "path", "name", "short_name", "sort_order"
        )
    )
    appointments = (
        Appointment.objects.filter(end_date__isnull=True, unit__status=Unit.Status.ACTIVE, user__is_active=True)
        .select_related("user", "position")
        .only(
            "unit_id", "is_primary", "user__full_name", "user__email", "user__phone", "position__name", "position__rank"
        )
        .order_by("position__rank", "user__full_name")
    )
    by_unit = {u.pk: u for u in units}
    people: dict[int, list[Appointment]] = defaultdict(list)
    for a in appointments:
        unit = by_unit.get(a.unit_id)
        if unit is None:
            continue
        if q and not matches(
            q, a.user.full_name, a.user.email, a.user.phone, a.position.name, unit.name, unit.short_name
        ):
            continue
        people[a.unit_id].append(a)
    rows = []
    for unit, depth in tree_rows(units):
        if q and not people.get(unit.pk):
            continue
        # A search result shows flat, each unit with its parent's name for context.
        rows.append(
            {
                "unit": unit,
                "depth": 0 if q else depth,
                "parent": by_unit.get(unit.parent_id) if q else None,
                "people": people.get(unit.pk, []),
            }
        )
    return render(
        request,
        "web/directory/directory.html",
        {
            "page_title": "Danh bạ",
            "form": form,
            "rows": rows,
            "q": q,
            "total": sum(len(p) for p in people.values()),
        },
    )
