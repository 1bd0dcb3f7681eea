"""The word index, per engine: a tsvector column with a GIN index on PostgreSQL, an FTS5
table on SQLite (rowid = search_searchentry.id). Django's model does not see either."""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRES = [
    "ALTER TABLE search_searchentry ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_entry_tsv_gin ON search_searchentry USING gin (tsv)",
]
POSTGRES_BACK = ["DROP INDEX IF EXISTS search_entry_tsv_gin", "ALTER TABLE search_searchentry DROP COLUMN tsv"]
# Tokens arrive already split and lowercased; remove_diacritics 0 keeps the exact column exact.
SQLITE = ["CREATE VIRTUAL TABLE search_fts USING fts5(exact, folded, tokenize = 'unicode61 remove_diacritics 0')"]
SQLITE_BACK = ["DROP TABLE IF EXISTS search_fts"]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}), _run({"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK})
        )
    ]
