"""PostgreSQL: the walk over a restricted user's documents (selectors._WalkPlan.covered)
sorts them newest first from these indexes alone (index-only scans: the entry id, its
dates), so the row and its ~6 kB word vector (TOAST) are read only for the rows the walk
reaches. Partial: each half of the permission rule looks up one kind of document."""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS search_entry_incoming_walk_idx ON search_searchentry (incoming_id) "
    "INCLUDE (id, registered_at, doc_date) WHERE incoming_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS search_entry_outgoing_walk_idx ON search_searchentry (outgoing_id) "
    "INCLUDE (id, registered_at, doc_date) WHERE outgoing_id IS NOT NULL",
]
POSTGRES_BACK = ["DROP INDEX IF EXISTS search_entry_incoming_walk_idx", "DROP INDEX IF EXISTS search_entry_outgoing_walk_idx"]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_saved_search")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_BACK))]
