"""The work read model: one row per lead assignment (chủ trì) not returned, with what the
dashboard's work figures filter and group on, copied from the assignment, its parent
and its document so those figures read one narrow table instead of joining a period's
documents to a million assignments.

Kept exact by database triggers (migration 0003), not by the workflow services:
assignments also change through bulk `.update()`, restores and the benchmark's raw SQL,
none of which run Python code, while a trigger fires for every row in the writer's
transaction. `rebuild.rebuild_summary` (`vanban reports rebuild-summary`) rewrites the
table from the source tables for recovery; tests/test_summary.py holds that the
triggers' result equals a rebuild after real workflow calls."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

OPEN = ("assigned", "in_progress")


class WorkSummary(models.Model):
    # The assignment's id. No foreign keys: the rows follow their sources through the
    # triggers, and a constraint would only order the triggers' deletes.
    assignment_id = models.BigIntegerField(primary_key=True)
    document_id = models.BigIntegerField(null=True)
    # The document's arrival date (the period filter); NULL for a direct task.
    arrival_date = models.DateTimeField(null=True)
    assignee_user_id = models.BigIntegerField(null=True)
    # The unit the work belongs to: its own, or for a person the unit that re-assigned it.
    own_unit = models.BigIntegerField(null=True)
    # The parent is a lead (the work is counted through it in a view holding its unit)…
    under_lead = models.BooleanField(default=False)
    # …and that lead's unit (NULL when the parent lead is a person's).
    parent_lead_unit = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20)
    deadline = models.DateField(null=True)
    # Completion day, Vietnam time (compared with the deadline day).
    closed_day = models.DateField(null=True)
    # Registration → completion in seconds, for completed work only.
    secs = models.FloatField(null=True)

    class Meta:
        verbose_name = "Tổng hợp việc chủ trì"
        indexes = [
            # The period's work: every column the aggregates read is in the index, so
            # PostgreSQL answers from it alone (SQLite ignores INCLUDE).
            models.Index(
                fields=["arrival_date"],
                include=["own_unit", "under_lead", "parent_lead_unit", "status", "deadline", "closed_day", "secs"],
                name="reports_ws_period_idx",
            ),
            # A unit's view of the period's work.
            models.Index(
                fields=["own_unit", "arrival_date"],
                include=["under_lead", "parent_lead_unit", "status", "deadline", "closed_day", "secs"],
                name="reports_ws_unit_period_idx",
            ),
            # The backlog (open work whatever its period).
            models.Index(
                fields=["own_unit"],
                include=["under_lead", "parent_lead_unit", "status", "deadline", "document_id"],
                condition=Q(status__in=OPEN),
                name="reports_ws_open_idx",
            ),
            # Own work (specialists' view).
            models.Index(fields=["assignee_user_id"], name="reports_ws_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.status}"


class IncomingUnit(models.Model):
    """The incoming read model: one row per (incoming document, unit it belongs to) — the
    unit of its register, and every unit holding an assignment of it that was not
    returned — with the document's arrival date and the columns the incoming breakdowns
    group on. A unit-scoped dashboard counts its documents from the rows of its units
    (each document once: DISTINCT on `document_id`) instead of hashing the units'
    assignments for an EXISTS per document of the period. Kept by the triggers of
    migration 0004 like `WorkSummary`; `summary.py` holds their SQL."""

    pk = models.CompositePrimaryKey("document_id", "unit_id")
    document_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()
    arrival_date = models.DateTimeField()
    status = models.CharField(max_length=20)
    document_type_id = models.BigIntegerField()
    issuing_organ_id = models.BigIntegerField()

    class Meta:
        verbose_name = "Tổng hợp văn bản đến theo đơn vị"
        indexes = [
            # A unit's documents of the period, answered from the index alone.
            models.Index(
                fields=["unit_id", "arrival_date"],
                include=["document_id", "status", "document_type_id", "issuing_organ_id"],
                name="reports_iu_unit_period_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} @ {self.unit_id}"
