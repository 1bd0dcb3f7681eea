"""Every figure of the dashboard starts from "documents that arrived in the period";
IncomingDocument has no index on arrival_date, so at a million documents each aggregate
began with a full scan. The index belongs to the incoming app's table: it is created
here (reversibly, IF NOT EXISTS on both engines) until the incoming app declares it in
its model, after which this migration is a no-op."""

from django.db import migrations

INDEX = "reports_incoming_arrival_idx"


class Migration(migrations.Migration):
    dependencies = [("incoming", "0003_alter_incomingdocument_receipt_method")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON incoming_incomingdocument (arrival_date)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
