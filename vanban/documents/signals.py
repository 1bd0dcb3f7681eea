"""Keep the built-in catalogue present after every migrate and every flush.

The data migration loads it once; Django's flush (which test runs use between
transactional tests) empties every table and then sends post_migrate, so without this
a database flushed once would have no document types at all."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def ensure_builtin_document_types(*, using: str = DEFAULT_DB_ALIAS, apps: Any = None, **kwargs: Any) -> int:
    """Create the built-in types that are missing; leave existing rows (an
    administrator may have deactivated one) untouched. Returns how many were created."""
    from vanban.documents.catalogue import BUILTIN_TYPES

    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    try:
        DocumentType = apps.get_model("documents", "DocumentType")
    except LookupError:
        return 0
    connection = connections[using]
    if DocumentType._meta.db_table not in connection.introspection.table_names():
        return 0
    manager = DocumentType.objects.using(using)
    rows = list(manager.values_list("code", "name"))
    codes = {code for code, _ in rows}
    names = {name.casefold() for _, name in rows}
    created = 0
    for order, seed in enumerate(BUILTIN_TYPES, start=1):
        # An administrator's own type of the same name stands in for the built-in one.
        if seed.code in codes or seed.name.casefold() in names:
            continue
        manager.create(
            code=seed.code,
            name=seed.name,
            abbreviation=seed.abbreviation,
            group=seed.group,
            is_forbidden=seed.is_forbidden,
            is_builtin=True,
            sort_order=order * 10,
        )
        created += 1
    return created
