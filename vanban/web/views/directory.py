"""Danh bạ: every active unit with its people, for everyone signed in (read-only).

The tree is drawn with a count per unit and each unit's people are loaded when it is
opened (htmx), so the page stays small with tens of thousands of people; a search runs
in SQL over the folded names (User.search_text) and shows at most SEARCH_LIMIT people."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from vanban.accounts.selectors import search_people
from vanban.core.text import fold
from vanban.organisation.models import Appointment, Unit
from vanban.web.admin_forms import DirectorySearchForm
from vanban.web.views._admin import tree_rows

SEARCH_LIMIT = 200


def _people(*conditions: Q, **filters: object) -> list[Appointment]:
    return list(
        Appointment.objects.filter(*conditions, end_date__isnull=True, user__is_active=True, **filters)
        .select_related("user", "position", "unit")
        .only("unit_id", "is_primary", "user__full_name", "user__email", "user__phone",
              "position__name", "position__rank", "unit__name", "unit__short_name", "unit__parent_id")
        .order_by("position__rank", "user__full_name")
    )


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    units = list(
        Unit.objects.filter(status=Unit.Status.ACTIVE)
        .annotate(people=Count("appointments", filter=Q(appointments__end_date__isnull=True,
                                                         appointments__user__is_active=True)))
        .only("pk", "parent_id", "path", "name", "short_name", "sort_order")
    )
    context: dict[str, object] = {"page_title": "Danh bạ", "form": form, "q": q}
    if q:
        from vanban.accounts.models import User

        matching = search_people(User.objects.filter(is_active=True), q).values("pk")
        # A unit's name finds its people too; units are few, so they are folded here.
        words = fold(q).split()
        unit_ids = [u.pk for u in units if all(w in fold(f"{u.name} {u.short_name}") for w in words)]
        found = _people(Q(user__in=matching) | Q(unit_id__in=unit_ids), unit__status=Unit.Status.ACTIVE)
        by_unit: dict[int, list[Appointment]] = defaultdict(list)
        for a in found[:SEARCH_LIMIT]:
            by_unit[a.unit_id].append(a)
        names = {u.pk: u for u in units}
        context["results"] = [
            {"unit": names[uid], "parent": names.get(names[uid].parent_id), "people": people}
            for uid, people in by_unit.items() if uid in names
        ]
        context["total"] = len(found)
        context["limited"] = len(found) > SEARCH_LIMIT
    else:
        context["rows"] = [{"unit": u, "depth": d} for u, d in tree_rows(units)]
    return render(request, "web/directory/directory.html", context)


@login_required
def directory_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """The people of one unit, loaded when the unit is opened in the directory."""
    unit = get_object_or_404(Unit, pk=pk, status=Unit.Status.ACTIVE)
    return render(request, "web/directory/_people.html", {"unit": unit, "people": _people(unit=unit)})
