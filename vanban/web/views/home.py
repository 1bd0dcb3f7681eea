from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.core.timeutil import today
from vanban.jobs.selectors import jobs_visible_to
from vanban.organisation.models import Delegation
from vanban.organisation.permissions import effective_roles, is_admin
from vanban.organisation.selectors import current_appointments


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    day = today()
    roles = effective_roles(user)
    from django.urls import reverse

    from vanban.organisation.roles import Role

    codes = {r.role for r in roles}
    boxes = [("direct", "Chờ cho ý kiến chỉ đạo")] if codes & {Role.MINISTRY_LEADER, Role.UNIT_LEADER} else []
    if codes & {Role.MINISTRY_CLERK, Role.UNIT_CLERK}:
        boxes.append(("awaiting", "Văn bản chờ trình"))
    boxes += [("process", "Chủ trì xử lý"), ("cooperate", "Phối hợp"), ("info", "Để biết (chưa xem)"),
              ("overdue", "Quá hạn")]
    if codes & {Role.MINISTRY_LEADER, Role.UNIT_LEADER}:
        boxes.append(("extensions", "Gia hạn chờ duyệt"))
    urls = {key: reverse("web:box", args=[key]) for key, _ in boxes}
    urls["awaiting"] = reverse("web:awaiting")
    urls["overdue"] = reverse("web:box", args=["process"]) + "?trang_thai=overdue"
    context = {
        "page_title": "Việc của tôi",
        "work_boxes": boxes,
        "box_urls": urls,
        "appointments": list(current_appointments(user)),
        "roles": roles,
        "delegations_received": Delegation.objects.filter(
            delegate=user, revoked_at__isnull=True, end_date__gte=day
        ).select_related("principal")[:10],
        "delegations_given": Delegation.objects.filter(
            principal=user, revoked_at__isnull=True, end_date__gte=day
        ).select_related("delegate")[:10],
        "jobs": jobs_visible_to(user)[:5],
        "is_admin": is_admin(user),
    }
    if context["is_admin"]:
        from vanban.accounts.services import locked_usernames
        from vanban.organisation.selectors import users_administered_by

        locked = locked_usernames()
        context["locked_accounts"] = [
            u for u in users_administered_by(user).filter(is_active=True).only("id", "username", "full_name")
            if u.username.lower() in locked
        ][:20] if locked else []
    return render(request, "web/home.html", context)
