"""PostgreSQL: the word vector kept in the entry's own row, and covering indexes for the
filters.

- `tsv` STORAGE MAIN: a vector that fits in a page (a document of a few hundred words,
  ~6 kB) stays in the row instead of being moved out to TOAST. A search that checks the
  words row by row (selectors._WalkPlan) then reads one page per row, not the row plus
  the TOAST index and three chunks: about three times less work per row. Larger vectors
  still go out of line. Existing vectors are rewritten once, in batches, then the table is
  vacuumed (the rewrite leaves a dead copy of every row, and index-only scans need the
  visibility map set again) and the word index rebuilt. The space of the old copies stays
  with the table for its future rows; `VACUUM FULL search_searchentry` (which locks the
  table) gives it back to the disk.
- `(column, doc_date) INCLUDE (id, registered_at)` for each equality filter, and
  `(doc_date) INCLUDE (id, registered_at)`: a filtered search for an unrestricted reader
  reads the filtered rows' ids and dates from one index alone, sorts them, and fetches a
  row only when the walk reaches it (selectors._pg_words_plan).

- A larger statistics target for `tsv` (WORD_STATISTICS), so the planner knows the
  frequency of lexemes down to a fraction of a percent (selectors._walk_is_cheaper reads it).

SQLite: nothing (FTS5 keeps its words in its own table)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FILTER_COLUMNS = ["urgency", "status", "document_type_id", "organ_id", "unit_id", "register_id"]
INDEXES = [
    *(
        f"CREATE INDEX IF NOT EXISTS search_entry_{col.removesuffix('_id')}_walk_idx ON search_searchentry "
        f"({col}, doc_date) INCLUDE (id, registered_at)"
        for col in FILTER_COLUMNS
    ),
    "CREATE INDEX IF NOT EXISTS search_entry_date_walk_idx ON search_searchentry (doc_date) INCLUDE (id, registered_at)",
]
INDEXES_BACK = [
    *(f"DROP INDEX IF EXISTS search_entry_{col.removesuffix('_id')}_walk_idx" for col in FILTER_COLUMNS),
    "DROP INDEX IF EXISTS search_entry_date_walk_idx",
]
BATCH = 10_000
# The planner keeps the frequency of the column's most common lexemes only (10 per unit of
# target); any other is guessed at 0.5% of the rows. With the default 100, "sat_lo" (in 5%
# of a million documents) was among the guessed, like "sạt_lở" (0.1%), so a specialist's
# "sat lo" visited 51,000 matching rows (226 ms) instead of walking their 10,000 documents.
# 400: ANALYZE reads 120,000 rows (7 s at a million documents instead of 2 s), and a
# connection's first search plans ~20 ms longer while it loads the larger statistics.
WORD_STATISTICS = 400
# A vector stored larger than this cannot stay in the row (a heap page holds ~8,160 bytes,
# the row's other columns included): rewriting it would only copy it to TOAST again.
FITS_IN_ROW = 7_800


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute("ALTER TABLE search_searchentry ALTER COLUMN tsv SET STORAGE MAIN")
        cur.execute(f"ALTER TABLE search_searchentry ALTER COLUMN tsv SET STATISTICS {WORD_STATISTICS}")
        cur.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM search_searchentry")
        low, high = cur.fetchone()
        # Only a new value is stored under the new rule: `|| ''` makes one (an unchanged
        # value would keep its TOAST pointer). Batches commit one by one (non-atomic
        # migration) so the rewrite never holds every entry locked at once.
        for start in range(low, high + 1, BATCH):
            cur.execute(
                "UPDATE search_searchentry SET tsv = tsv || ''::tsvector "
                "WHERE id >= %s AND id < %s AND pg_column_size(tsv) < %s",
                [start, start + BATCH, FITS_IN_ROW],
            )
        if high >= low:
            cur.execute("VACUUM (ANALYZE) search_searchentry")
            # Every row's words were inserted into the GIN index again: rebuilt, it is a third
            # of the size (626 MB instead of 1.9 GB at a million documents), built beside the
            # old one so searches keep using it meanwhile.
            cur.execute("REINDEX INDEX CONCURRENTLY search_entry_tsv_gin")
        for sql in INDEXES:
            cur.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for sql in INDEXES_BACK:
            cur.execute(sql)
        # Vectors already in rows stay there; new ones go back to TOAST.
        cur.execute("ALTER TABLE search_searchentry ALTER COLUMN tsv SET STORAGE EXTENDED")
        cur.execute("ALTER TABLE search_searchentry ALTER COLUMN tsv SET STATISTICS -1")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0004_walk_covering_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
