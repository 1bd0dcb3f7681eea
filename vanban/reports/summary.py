"""The SQL that fills `WorkSummary` (models.py): one SELECT per engine, used both by the
triggers of migration 0003 (for the rows an assignment or document change touches) and
by `rebuild_summary` (for every row), so the two cannot disagree."""

from __future__ import annotations

from typing import Any

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
    if vendor != "sqlite":
        raise NotImplementedError(f"reports: no work summary triggers for {vendor}")
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
    vendor = schema_editor.connection.vendor
    for trigger in TRIGGERS.get(vendor, []):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if vendor == "postgresql":
        for function in FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


def fill(cursor: Any, vendor: str) -> int:
    cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (constant SQL)
    cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) " + select_sql(vendor))
    return int(cursor.rowcount)


@transaction.atomic
def rebuild_summary() -> int:
    """Rewrite the whole read model from the assignments and documents (recovery; the
    triggers keep it exact otherwise). Returns the number of rows. On PostgreSQL the
    source tables are locked against writes meanwhile: a write committed during the
    rebuild would have its trigger insert a row the rebuild inserts too."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("LOCK TABLE workflow_assignment, incoming_incomingdocument IN SHARE MODE")
        n = fill(cur, connection.vendor)
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {TABLE}")
    return n
