"""The SQL that fills the read models (models.py): for `WorkSummary` one SELECT per
engine, for `IncomingUnit` one for both, each used both by the triggers (migrations
0003 and 0004: the rows an assignment, document or register change touches) and by
`rebuild_summary` (every row), so the two cannot disagree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

TABLE = "reports_worksummary"
COLUMNS = (
    "assignment_id, document_id, arrival_date, assignee_user_id, own_unit, under_lead, parent_lead_unit, "
    "status, deadline, closed_day, secs"
)

# The completion day in Vietnam time and registration → completion in seconds, written
# as the selectors wrote them on each engine (TruncDate in Asia/Ho_Chi_Minh; EpochSeconds
# of each end). Vietnam has kept UTC+7 without daylight saving since 1975, so SQLite's
# fixed offset is the zone.
_CLOSED_DAY = {
    "postgresql": "(a.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
    "sqlite": "date(a.closed_at, '+7 hours')",
}
_SECS = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM a.closed_at) AS double precision) "
    "- CAST(EXTRACT(EPOCH FROM d.registered_at) AS double precision)",
    "sqlite": "((julianday(a.closed_at) - 2440587.5) * 86400.0) - ((julianday(d.registered_at) - 2440587.5) * 86400.0)",
}


def _require_supported(vendor: str) -> None:
    """vanban supports SQLite and PostgreSQL only (docs/operations.md); the
    triggers are written in each one's dialect, so any other engine is refused loudly
    rather than left with read models that silently stop following their sources."""
    if vendor != "sqlite":
        raise ImproperlyConfigured(f"reports: the read-model triggers exist for PostgreSQL and SQLite, not {vendor}")


def select_sql(vendor: str, where: str = "TRUE") -> str:
    """The rows of the lead assignments (not returned) matching `where` (on `a`, the
    assignment, or `d`, its document)."""
    return (
        f"SELECT a.id, a.document_id, d.arrival_date, a.assignee_user_id, "  # noqa: S608 (constant SQL)
        f"COALESCE(a.assignee_unit_id, p.assignee_unit_id), "
        f"CASE WHEN p.role = 'lead' THEN TRUE ELSE FALSE END, "
        f"CASE WHEN p.role = 'lead' THEN p.assignee_unit_id END, "
        f"a.status, a.deadline, {_CLOSED_DAY[vendor]}, "
        f"CASE WHEN a.status = 'completed' THEN {_SECS[vendor]} END "
        f"FROM workflow_assignment a "
        f"LEFT JOIN workflow_assignment p ON p.id = a.parent_id "
        f"LEFT JOIN incoming_incomingdocument d ON d.id = a.document_id "
        f"WHERE a.role = 'lead' AND a.status <> 'returned' AND ({where})"
    )


# Rows are deleted, then inserted as an upsert: two PostgreSQL transactions may rewrite
# the same row (a parent's change rewrites its children's rows while a child changes
# itself); the second one's DELETE does not see the row the first one committed
# meanwhile, and its INSERT then updates that row rather than fail on the primary key.
_UPSERT = " ON CONFLICT (assignment_id) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in COLUMNS.split(", ") if c != "assignment_id"
)


def _refresh_statements(vendor: str, row: str) -> list[str]:
    """Rewrite the rows of assignment `row`.id and of its children (whose own unit and
    parent lead come from it), whatever the order rows arrive in."""
    # Separate statements, each an index lookup: an OR across the two made PostgreSQL
    # scan the whole table (0.4 s per assignment write at a million rows).
    children = f"SELECT id FROM workflow_assignment WHERE parent_id = {row}.id"  # noqa: S608 (constant SQL)
    return [
        f"DELETE FROM {TABLE} WHERE assignment_id = {row}.id",  # noqa: S608 (constant SQL)
        f"DELETE FROM {TABLE} WHERE assignment_id IN ({children})",  # noqa: S608 (constant SQL)
        f"INSERT INTO {TABLE} ({COLUMNS}) " + select_sql(vendor, f"a.id = {row}.id") + _UPSERT,
        f"INSERT INTO {TABLE} ({COLUMNS}) " + select_sql(vendor, f"a.parent_id = {row}.id") + _UPSERT,
    ]


def _document_statements(vendor: str) -> list[str]:
    # Through the assignments' document index (the rows carry the same document_id).
    rows = "SELECT id FROM workflow_assignment WHERE document_id = NEW.id"
    return [
        f"DELETE FROM {TABLE} WHERE assignment_id IN ({rows})",  # noqa: S608 (constant SQL)
        f"INSERT INTO {TABLE} ({COLUMNS}) " + select_sql(vendor, "a.document_id = NEW.id") + _UPSERT,
    ]


TRIGGERS = {
    "postgresql": ["reports_ws_assignment ON workflow_assignment", "reports_ws_document ON incoming_incomingdocument"],
    "sqlite": ["reports_ws_ai", "reports_ws_au", "reports_ws_ad", "reports_ws_di", "reports_ws_du"],
}
FUNCTIONS = ["reports_ws_assignment()", "reports_ws_document()"]


def install_triggers(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        refresh = ";\n    ".join(_refresh_statements(vendor, "NEW"))
        run(
            "CREATE OR REPLACE FUNCTION reports_ws_assignment() RETURNS trigger LANGUAGE plpgsql AS $$\n"  # noqa: S608
            "BEGIN\n"
            f"  IF TG_OP = 'DELETE' THEN\n    DELETE FROM {TABLE} WHERE assignment_id = OLD.id;\n"
            f"  ELSE\n    {refresh};\n  END IF;\n"
            "  RETURN NULL;\nEND $$"
        )
        run(
            "CREATE OR REPLACE FUNCTION reports_ws_document() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n  " + ";\n  ".join(_document_statements(vendor)) + ";\n  RETURN NULL;\nEND $$"
        )
        run(
            "CREATE TRIGGER reports_ws_assignment AFTER INSERT OR UPDATE OR DELETE ON workflow_assignment "
            "FOR EACH ROW EXECUTE FUNCTION reports_ws_assignment()"
        )
        # Only a change of what the rows copy from the document matters.
        run(
            "CREATE TRIGGER reports_ws_document AFTER INSERT OR UPDATE OF arrival_date, registered_at "
            "ON incoming_incomingdocument FOR EACH ROW EXECUTE FUNCTION reports_ws_document()"
        )
        return
    _require_supported(vendor)
    refresh = ";\n  ".join(_refresh_statements(vendor, "NEW"))
    run(f"CREATE TRIGGER reports_ws_ai AFTER INSERT ON workflow_assignment BEGIN\n  {refresh};\nEND")
    run(f"CREATE TRIGGER reports_ws_au AFTER UPDATE ON workflow_assignment BEGIN\n  {refresh};\nEND")
    run(
        f"CREATE TRIGGER reports_ws_ad AFTER DELETE ON workflow_assignment BEGIN\n"  # noqa: S608
        f"  DELETE FROM {TABLE} WHERE assignment_id = OLD.id;\nEND"
    )
    doc = ";\n  ".join(_document_statements(vendor))
    run(f"CREATE TRIGGER reports_ws_di AFTER INSERT ON incoming_incomingdocument BEGIN\n  {doc};\nEND")
    run(
        "CREATE TRIGGER reports_ws_du AFTER UPDATE OF arrival_date, registered_at ON incoming_incomingdocument "
        f"BEGIN\n  {doc};\nEND"
    )


def drop_triggers(schema_editor: Any) -> None:
    _drop(schema_editor, TRIGGERS, FUNCTIONS)


def _drop(schema_editor: Any, triggers: dict[str, list[str]], functions: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for trigger in triggers.get(vendor, []):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if vendor == "postgresql":
        for function in functions:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


# --- the incoming read model (models.IncomingUnit, migration 0004) -----------------------

IU_TABLE = "reports_incomingunit"
IU_COLUMNS = "document_id, unit_id, arrival_date, status, document_type_id, issuing_organ_id"
_IU_UPSERT = " ON CONFLICT (document_id, unit_id) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in IU_COLUMNS.split(", ")[2:]
)


def incoming_select_sql(where: str = "TRUE") -> str:
    """The rows of the incoming documents matching `where`, a condition on `{doc}` (a
    document id): one per unit of the document's register and per unit holding an
    assignment of it not returned — what `selectors.incoming_base` tests for a unit's
    view. The same text on both engines."""
    by_register = (
        "SELECT i.id AS document_id, r.unit_id AS unit_id FROM incoming_incomingdocument i "  # noqa: S608 (constant SQL)
        "JOIN documents_register r ON r.id = i.register_id "
        f"WHERE r.unit_id IS NOT NULL AND ({where.format(doc='i.id')})"
    )
    by_assignment = (
        "SELECT a.document_id, a.assignee_unit_id FROM workflow_assignment a "  # noqa: S608 (constant SQL)
        "WHERE a.assignee_unit_id IS NOT NULL AND a.status <> 'returned' "
        f"AND a.document_id IS NOT NULL AND ({where.format(doc='a.document_id')})"
    )
    return (
        "SELECT d.id, x.unit_id, d.arrival_date, d.status, d.document_type_id, d.issuing_organ_id "  # noqa: S608
        f"FROM ({by_register} UNION {by_assignment}) x "
        "JOIN incoming_incomingdocument d ON d.id = x.document_id "
        f"WHERE {where.format(doc='d.id')}"
    )


def _incoming_statements(where: str, doc_ids: str) -> list[str]:
    """Rewrite the rows of the documents `doc_ids` (a SELECT or a value); `where` is the
    same set as a condition on `{doc}`. Delete, then upsert, for the reason `_UPSERT`
    gives."""
    return [
        f"DELETE FROM {IU_TABLE} WHERE document_id IN ({doc_ids})",  # noqa: S608 (constant SQL)
        f"INSERT INTO {IU_TABLE} ({IU_COLUMNS}) " + incoming_select_sql(where) + _IU_UPSERT,
    ]


def _for_document(ref: str) -> list[str]:
    return _incoming_statements(f"{{doc}} = {ref}", ref)


# The incoming document's columns the rows copy or are chosen by.
_IU_DOCUMENT_COLUMNS = "arrival_date, status, document_type_id, issuing_organ_id, register_id"
_IU_REGISTER_DOCS = "SELECT id FROM incoming_incomingdocument WHERE register_id = NEW.id"

IU_TRIGGERS = {
    "postgresql": [
        "reports_iu_assignment ON workflow_assignment",
        "reports_iu_document ON incoming_incomingdocument",
        "reports_iu_register ON documents_register",
    ],
    "sqlite": [
        "reports_iu_ai",
        "reports_iu_au",
        "reports_iu_ad",
        "reports_iu_di",
        "reports_iu_du",
        "reports_iu_dd",
        "reports_iu_ru",
    ],
}
IU_FUNCTIONS = ["reports_iu_assignment()", "reports_iu_document()", "reports_iu_register()"]


def install_incoming_triggers(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    register = ";\n  ".join(_incoming_statements(f"{{doc}} IN ({_IU_REGISTER_DOCS})", _IU_REGISTER_DOCS))
    if vendor == "postgresql":
        old, new = ";\n    ".join(_for_document("OLD.document_id")), ";\n    ".join(_for_document("NEW.document_id"))
        run(
            "CREATE OR REPLACE FUNCTION reports_iu_assignment() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP <> 'INSERT' AND OLD.document_id IS NOT NULL THEN\n    {old};\n  END IF;\n"
            "  IF TG_OP <> 'DELETE' AND NEW.document_id IS NOT NULL THEN\n"
            f"    {new};\n  END IF;\n"
            "  RETURN NULL;\nEND $$"
        )
        run(
            "CREATE OR REPLACE FUNCTION reports_iu_document() RETURNS trigger LANGUAGE plpgsql AS $$\n"  # noqa: S608
            "BEGIN\n"
            f"  IF TG_OP = 'DELETE' THEN\n    DELETE FROM {IU_TABLE} WHERE document_id = OLD.id;\n"
            "  ELSE\n    " + ";\n    ".join(_for_document("NEW.id")) + ";\n  END IF;\n"
            "  RETURN NULL;\nEND $$"
        )
        run(
            "CREATE OR REPLACE FUNCTION reports_iu_register() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {register};\n  RETURN NULL;\nEND $$"
        )
        # Only the columns the rows are chosen by: progress reports and the like do not
        # touch the table.
        run(
            "CREATE TRIGGER reports_iu_assignment AFTER INSERT OR DELETE OR "
            "UPDATE OF document_id, assignee_unit_id, status ON workflow_assignment "
            "FOR EACH ROW EXECUTE FUNCTION reports_iu_assignment()"
        )
        run(
            f"CREATE TRIGGER reports_iu_document AFTER INSERT OR DELETE OR UPDATE OF {_IU_DOCUMENT_COLUMNS} "
            "ON incoming_incomingdocument FOR EACH ROW EXECUTE FUNCTION reports_iu_document()"
        )
        run(
            "CREATE TRIGGER reports_iu_register AFTER UPDATE OF unit_id ON documents_register "
            "FOR EACH ROW EXECUTE FUNCTION reports_iu_register()"
        )
        return
    _require_supported(vendor)
    old, new = ";\n  ".join(_for_document("OLD.document_id")), ";\n  ".join(_for_document("NEW.document_id"))
    run(f"CREATE TRIGGER reports_iu_ai AFTER INSERT ON workflow_assignment BEGIN\n  {new};\nEND")
    run(
        "CREATE TRIGGER reports_iu_au AFTER UPDATE OF document_id, assignee_unit_id, status ON workflow_assignment "
        f"BEGIN\n  {old};\n  {new};\nEND"
    )
    run(f"CREATE TRIGGER reports_iu_ad AFTER DELETE ON workflow_assignment BEGIN\n  {old};\nEND")
    doc = ";\n  ".join(_for_document("NEW.id"))
    run(f"CREATE TRIGGER reports_iu_di AFTER INSERT ON incoming_incomingdocument BEGIN\n  {doc};\nEND")
    run(
        f"CREATE TRIGGER reports_iu_du AFTER UPDATE OF {_IU_DOCUMENT_COLUMNS} ON incoming_incomingdocument "
        f"BEGIN\n  {doc};\nEND"
    )
    run(
        "CREATE TRIGGER reports_iu_dd AFTER DELETE ON incoming_incomingdocument BEGIN\n"  # noqa: S608
        f"  DELETE FROM {IU_TABLE} WHERE document_id = OLD.id;\nEND"
    )
    run(f"CREATE TRIGGER reports_iu_ru AFTER UPDATE OF unit_id ON documents_register BEGIN\n  {register};\nEND")


def drop_incoming_triggers(schema_editor: Any) -> None:
    _drop(schema_editor, IU_TRIGGERS, IU_FUNCTIONS)


def fill_incoming(cursor: Any) -> int:
    cursor.execute(f"DELETE FROM {IU_TABLE}")  # noqa: S608 (constant SQL)
    cursor.execute(f"INSERT INTO {IU_TABLE} ({IU_COLUMNS}) " + incoming_select_sql())
    return int(cursor.rowcount)


def fill(cursor: Any, vendor: str) -> int:
    cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (constant SQL)
    cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) " + select_sql(vendor))
    return int(cursor.rowcount)


@transaction.atomic
def rebuild_summary() -> int:
    """Rewrite both read models (WorkSummary, IncomingUnit) from the assignments,
    documents and registers (recovery; the triggers keep them exact otherwise). Returns
    the number of work rows (see `rebuild_incoming` for the other). On PostgreSQL the
    source tables are locked against writes meanwhile: a write committed during the
    rebuild would have its trigger insert a row the rebuild inserts too."""
    return rebuild_all()[0]


@transaction.atomic
def rebuild_all() -> tuple[int, int]:
    """Both read models: (work rows, incoming rows)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("LOCK TABLE workflow_assignment, incoming_incomingdocument, documents_register IN SHARE MODE")
        n = fill(cur, connection.vendor)
        m = fill_incoming(cur)
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {TABLE}")
            cur.execute(f"ANALYZE {IU_TABLE}")
    return n, m
