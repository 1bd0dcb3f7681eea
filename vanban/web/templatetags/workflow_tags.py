"""The workflow panel on a document's page: status, the leader's directions as
orders, the assignment tree and the timeline, with the actions the reader may take."""

from __future__ import annotations

from typing import Any

from django import template

from vanban.core.errors import PermissionDenied
from vanban.incoming.models import IncomingDocument
from vanban.incoming.permissions import authorize_registration
from vanban.workflow import selectors
from vanban.workflow.models import Assignment
from vanban.workflow.permissions import identity, leads_unit

register = template.Library()


@register.inclusion_tag("web/workflow/_panel_body.html", takes_context=True)
def workflow_panel(context: dict[str, Any], doc: IncomingDocument) -> dict[str, Any]:
    user = context["request"].user
    ident = identity(user)
    try:
        authorize_registration(user, doc.register)
        is_clerk = True
    except PermissionDenied:
        is_clerk = False
    pending = selectors.pending_presentation(doc)
    tree = selectors.assignment_tree(doc)
    for a in tree:
        if a.assignee_user_id is not None:
            a.mine = a.assignee_user_id in ident.user_ids  # type: ignore[attr-defined]
        else:
            a.mine = leads_unit(user, a.assignee_unit) is not None  # type: ignore[attr-defined]
    open_lead = any(a.parent_id is None and a.role == Assignment.Role.LEAD and a.is_open for a in tree)
    return {
        "doc": doc,
        "pending": pending,
        "may_direct": pending is not None and pending.leader_id in ident.user_ids,
        "may_present": is_clerk and pending is None and not open_lead
        and doc.status != IncomingDocument.Status.COMPLETED,
        "directions": list(selectors.directions_of(doc)),
        "tree": tree,
        "steps": list(selectors.timeline(doc)),
    }
