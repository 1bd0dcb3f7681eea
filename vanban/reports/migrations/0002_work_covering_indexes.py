"""Indexes for the work figures (lead assignments of the period's documents).

Profiled at a million documents (bench/reports.py): the per-unit work counts and the
processing times looked up each document's lead assignment by `document_id` and then
read the assignment row from the table, 82,000 random heap reads for three months. The
first index holds every column those aggregates read, for exactly the rows they count
(leads not returned), so PostgreSQL answers from the index alone.

The second serves a unit's view: "documents assigned to these units" (the incoming
figures' scope filter) and "work of these units", again from the index alone.

The third lists the open leads by deadline: a work drill-down pages them ORDER BY
deadline, and through the plain deadline index PostgreSQL walked a million assignments
to find the first fifty open ones (0.95 s; 1 ms with it).

Like 0001, they belong to another app's table and are created here, reversibly and
IF NOT EXISTS. SQLite has no INCLUDE: it gets the same keys and conditions."""

from typing import Any

from django.db import migrations

LEAD_WORK = "reports_lead_work_idx"
UNIT_WORK = "reports_unit_work_idx"
OPEN_DEADLINE = "reports_open_lead_deadline_idx"
NOT_RETURNED = "status <> 'returned'"


def create(apps: Any, schema_editor: Any) -> None:
    pg = schema_editor.connection.vendor == "postgresql"
    lead_include = " INCLUDE (id, assignee_unit_id, parent_id, status, deadline, closed_at)" if pg else ""
    unit_include = " INCLUDE (id, role, parent_id, status, deadline, closed_at)" if pg else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {LEAD_WORK} ON workflow_assignment (document_id){lead_include} "
        f"WHERE role = 'lead' AND {NOT_RETURNED}"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {UNIT_WORK} ON workflow_assignment (assignee_unit_id, document_id)"
        f"{unit_include} WHERE {NOT_RETURNED}"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OPEN_DEADLINE} ON workflow_assignment (deadline, id) "
        "WHERE role = 'lead' AND status IN ('assigned', 'in_progress')"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP INDEX IF EXISTS {LEAD_WORK}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {UNIT_WORK}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OPEN_DEADLINE}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_incoming_arrival_index"), ("workflow", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
