"""Units (đơn vị) and positions (chức vụ): the organisation as the IT department and
unit administrators maintain it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from vanban.core.text import fold
from vanban.organisation import services as org
from vanban.organisation.models import Appointment, Position, Unit
from vanban.organisation.selectors import own_organ, units_administered_by
from vanban.web.admin_forms import (
    PositionCreateForm,
    UnitCreateForm,
    UnitDissolveForm,
    UnitMergeForm,
    UnitMoveForm,
    UnitRenameForm,
)
from vanban.web.views._admin import (
    active_units_of,
    admin_required,
    is_sysadmin,
    run_with_form,
    sysadmin_required,
    tree_rows,
)

_CURRENT = Q(appointments__end_date__isnull=True)


@admin_required
def unit_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    units = units_administered_by(request.user).annotate(
        people=Count("appointments__user", filter=_CURRENT, distinct=True)
    )
    if not show_all:
        units = units.filter(status=Unit.Status.ACTIVE)
    rows = tree_rows(units)
    return render(
        request,
        "web/units/list.html",
        {
            "page_title": "Đơn vị",
            "rows": rows,
            "show_all": show_all,
        },
    )


@admin_required
def unit_create(request: HttpRequest) -> HttpResponse:
    sysadmin = is_sysadmin(request.user)
    form = UnitCreateForm(
        request.POST or None,
        units=active_units_of(request.user),
        top_level_allowed=sysadmin,
        initial={"parent": request.GET.get("parent")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = data["parent"]
        organ = parent.organ if parent else own_organ()
        if organ is None:
            form.add_error(None, "Chưa khai báo cơ quan sử dụng hệ thống.")
        else:
            ok, unit = run_with_form(
                form,
                org.create_unit,
                actor=request.user,
                organ=organ,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                parent=parent,
                established_on=data["established_on"],
            )
            if ok:
                messages.success(request, f"Đã tạo đơn vị «{unit.name}».")
                return redirect("web:unit_detail", pk=unit.pk)
    return render(request, "web/units/create.html", {"page_title": "Thêm đơn vị", "form": form})


def _unit_for(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(units_administered_by(request.user), pk=pk)


def _detail(request: HttpRequest, unit: Unit, **forms: Any) -> HttpResponse:
    user = request.user
    sysadmin = is_sysadmin(user)
    units = active_units_of(user)
    forms.setdefault("rename_form", UnitRenameForm(initial={"name": unit.name, "short_name": unit.short_name}))
    forms.setdefault(
        "move_form", UnitMoveForm(units=units, top_level_allowed=sysadmin, initial={"parent": unit.parent_id})
    )
    forms.setdefault("merge_form", UnitMergeForm(units=units.exclude(pk=unit.pk)))
    forms.setdefault("dissolve_form", UnitDissolveForm())
    ancestors_ids = [int(p) for p in unit.path.strip("/").split("/")[:-1] if p]
    ancestors = sorted(Unit.objects.filter(pk__in=ancestors_ids), key=lambda u: len(u.path))
    people = (
        Appointment.objects.filter(unit=unit, end_date__isnull=True)
        .select_related("user", "position")
        .order_by("position__rank", "user__full_name")
    )
    children = unit.children.annotate(people=Count("appointments__user", filter=_CURRENT, distinct=True)).order_by(
        "sort_order", "name"
    )
    return render(
        request,
        "web/units/detail.html",
        {
            "page_title": unit.name,
            "unit": unit,
            "ancestors": ancestors,
            "names": unit.names.order_by("-valid_from"),
            "children": children,
            "people": people,
            "merged_units": unit.merged_units.order_by("name"),
            **forms,
        },
    )


@admin_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _unit_for(request, pk))


@admin_required
@require_POST
def unit_rename(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    form = UnitRenameForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, _ = run_with_form(
            form,
            org.rename_unit,
            actor=request.user,
            unit=unit,
            name=data["name"],
            short_name=data["short_name"],
            effective_on=data["effective_on"],
        )
        if ok:
            messages.success(request, "Đã đổi tên đơn vị. Tên cũ vẫn được giữ cho văn bản trước ngày hiệu lực.")
            return redirect("web:unit_detail", pk=unit.pk)
    return _detail(request, unit, rename_form=form, open_panel="rename")


@admin_required
@require_POST
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    form = UnitMoveForm(request.POST, units=active_units_of(request.user), top_level_allowed=is_sysadmin(request.user))
    if form.is_valid():
        ok, _ = run_with_form(
            form, org.move_unit, actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"]
        )
        if ok:
            messages.success(request, "Đã chuyển đơn vị.")
            return redirect("web:unit_detail", pk=unit.pk)
    return _detail(request, unit, move_form=form, open_panel="move")


@admin_required
@require_POST
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    form = UnitMergeForm(request.POST, units=active_units_of(request.user).exclude(pk=unit.pk))
    if form.is_valid():
        data = form.cleaned_data
        ok, target = run_with_form(
            form,
            org.merge_units,
            actor=request.user,
            source=unit,
            target=data["target"],
            effective_on=data["effective_on"],
        )
        if ok:
            messages.success(request, f"Đã sáp nhập «{unit.name}» vào «{target.name}».")
            return redirect("web:unit_detail", pk=target.pk)
    return _detail(request, unit, merge_form=form, open_panel="merge")


@admin_required
@require_POST
def unit_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    form = UnitDissolveForm(request.POST)
    if form.is_valid():
        ok, _ = run_with_form(
            form, org.dissolve_unit, actor=request.user, unit=unit, effective_on=form.cleaned_data["effective_on"]
        )
        if ok:
            messages.success(request, f"Đã giải thể «{unit.name}».")
            return redirect("web:unit_detail", pk=unit.pk)
    return _detail(request, unit, dissolve_form=form, open_panel="dissolve")


@sysadmin_required
def position_list(request: HttpRequest) -> HttpResponse:
    form = PositionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["code"] or slugify(fold(data["name"]))[:40]
        ok, position = run_with_form(
            form,
            org.create_position,
            actor=request.user,
            code=code,
            name=data["name"],
            level=data["level"],
            is_leader=data["is_leader"],
            rank=data["rank"],
        )
        if ok:
            messages.success(request, f"Đã thêm chức vụ «{position.name}».")
            return redirect("web:positions")
    positions = Position.objects.annotate(
        holders=Count("appointments__user", filter=Q(appointments__end_date__isnull=True), distinct=True)
    ).order_by("rank", "name")
    return render(
        request,
        "web/units/positions.html",
        {
            "page_title": "Chức vụ",
            "positions": positions,
            "form": form,
        },
    )
