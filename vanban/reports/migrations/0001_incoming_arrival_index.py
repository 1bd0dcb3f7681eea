"""Every figure of the dashboard starts from "documents that arrived in the period", and
IncomingDocument has no index on arrival_date: at a million documents each aggregate
began with a full scan. On PostgreSQL the index also carries the columns the figures
group by, so the period's counts are read from the index alone (after VACUUM).

A second, partial index lists the open lead assignments (the backlog figures).

Both indexes belong to other apps' tables: it is created here, reversibly and
IF NOT EXISTS, until those apps declare them in their own models."""

from typing import Any

from django.db import migrations

INDEX = "reports_incoming_arrival_idx"
# The backlog (open lead assignments, any period) is a few per cent of all assignments.
OPEN_LEADS = "reports_open_lead_idx"
OPEN_LEADS_SQL = (
    f"CREATE INDEX IF NOT EXISTS {OPEN_LEADS} ON workflow_assignment (document_id) "
    "WHERE role = 'lead' AND status IN ('assigned', 'in_progress')"
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON incoming_incomingdocument (arrival_date) "
            "INCLUDE (id, status, document_type_id, issuing_organ_id, register_id, registered_at)"
        )
    else:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON incoming_incomingdocument (arrival_date)")
    schema_editor.execute(OPEN_LEADS_SQL)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OPEN_LEADS}")


class Migration(migrations.Migration):
    dependencies = [("incoming", "0003_alter_incomingdocument_receipt_method"), ("workflow", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
