"""SQLite: the word index becomes `search_terms`, an FTS5 table without positions
(detail=none) holding each entry's distinct terms: tokens in their exact and folded forms
and adjacent-token pairs in both forms (`indexing.fts5_terms`). A Vietnamese word or a
phrase is found from its pairs, never by checking positions across every match (the
positional `search_fts` cost 100-500 ms for common words at 200,000 documents), and it
replaces `search_fts`. A trigger removes an entry's terms with the entry, so the table
holds exactly the live entries and can be counted alone. Existing entries are indexed
from their stored text (the same tokens `search_fts` held). Also the partial covering
indexes of a restricted user's walk (PostgreSQL has them from 0004). PostgreSQL: nothing."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# Tokens arrive already split and lowercased; remove_diacritics 0 keeps exact terms exact,
# tokenchars '_' keeps a pair one term. Prefixes of one to three letters have their own
# index (a prefix query otherwise merges every term's list: "t*" took seconds); longer ones
# are expanded through the vocabulary table (selectors._expand_prefix).
CREATE = ("CREATE VIRTUAL TABLE search_terms USING fts5(size UNINDEXED, terms, detail = none, prefix = '1 2 3', "
          "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")")  # fmt: skip
VOCABULARY = "CREATE VIRTUAL TABLE search_terms_vocab USING fts5vocab(search_terms, 'row')"
TRIGGER = ("CREATE TRIGGER search_terms_entry_deleted AFTER DELETE ON search_searchentry "
           "BEGIN DELETE FROM search_terms WHERE rowid = old.id; END")  # fmt: skip
# A restricted user's entries, newest first, from the index alone (as PostgreSQL's 0004):
# the unique indexes on the two columns look, to ANALYZE's statistics, like 200,000 rows
# per value (every other row is NULL), and SQLite then walked the whole date index.
INDEXES = [
    "CREATE INDEX search_entry_incoming_walk_idx ON search_searchentry (incoming_id, registered_at, doc_date) "
    "WHERE incoming_id IS NOT NULL",
    "CREATE INDEX search_entry_outgoing_walk_idx ON search_searchentry (outgoing_id, registered_at, doc_date) "
    "WHERE outgoing_id IS NOT NULL",
    # Filters: a date range (or a skip-scan over it) decides the other filters from the
    # index alone, without reading each candidate's row (100 ms for "khẩn, 2024").
    "CREATE INDEX search_entry_filters_idx ON search_searchentry (doc_date, urgency, status, kind, "
    "document_type_id, organ_id, register_id, unit_id, registered_at)",
]
BATCH = 2_000


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    from vanban.search.indexing import fts5_terms

    schema_editor.execute(CREATE)
    schema_editor.execute(VOCABULARY)
    schema_editor.execute(TRIGGER)
    for sql in INDEXES:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cur:
        last = 0
        while True:
            cur.execute("SELECT id, content FROM search_searchentry WHERE id > %s ORDER BY id LIMIT %s", [last, BATCH])
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany("INSERT INTO search_terms(rowid, size, terms) VALUES (%s, %s, %s)",
                            [(i, *fts5_terms(content)) for i, content in rows])  # fmt: skip
            last = rows[-1][0]
        cur.execute("INSERT INTO search_terms(search_terms) VALUES ('optimize')")
    schema_editor.execute("DROP TABLE IF EXISTS search_fts")


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    from vanban.search.folding import fold, tokens

    schema_editor.execute("CREATE VIRTUAL TABLE search_fts USING fts5(exact, folded, "
                          "tokenize = 'unicode61 remove_diacritics 0')")  # fmt: skip
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id, content FROM search_searchentry")
        rows = [(i, toks, " ".join(fold(t) for t in toks.split())) for i, toks in
                ((i, " ".join(tokens(content))) for i, content in cur.fetchall())]  # fmt: skip
        cur.executemany("INSERT INTO search_fts(rowid, exact, folded) VALUES (%s, %s, %s)", rows)
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_filters_idx")
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_incoming_walk_idx")
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_outgoing_walk_idx")
    schema_editor.execute("DROP TRIGGER IF EXISTS search_terms_entry_deleted")
    schema_editor.execute("DROP TABLE IF EXISTS search_terms_vocab")
    schema_editor.execute("DROP TABLE IF EXISTS search_terms")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_inline_word_vectors_filter_indexes")]

    operations = [migrations.RunPython(forward, backward)]
