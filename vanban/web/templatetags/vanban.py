from __future__ import annotations

from django import template

from vanban.audit.actions import label as action_label_fn
from vanban.organisation.roles import Role

register = template.Library()
_ROLE_LABELS = dict(Role.choices)


@register.filter
def role_label(code: str) -> str:
    return _ROLE_LABELS.get(code, code)


@register.filter
def action_label(code: str) -> str:
    return action_label_fn(code)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
