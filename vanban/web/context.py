from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vanban.web.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from vanban.organisation.permissions import effective_roles

    acting_for = sorted({r.delegation.principal.get_full_name() for r in effective_roles(user) if r.delegation})
    from vanban.workflow.selectors import counts

    work_counts = counts(user)
    return {
        "nav_sections": navigation_for(user, request.path, work_counts),
        "acting_for": acting_for,
        "work_counts": work_counts,
    }
