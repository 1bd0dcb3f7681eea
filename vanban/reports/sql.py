"""Small SQL pieces the figures need on both engines: a timestamp as epoch seconds and
a percentile aggregate (PostgreSQL's percentile_cont; SQLite has none, so the selector
falls back to an ORDER BY … LIMIT/OFFSET read of the two neighbouring values)."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, FloatField, Func


class EpochSeconds(Func):
    """Seconds since 1970 of a datetime column (UTC-based, so differences are exact)."""

    output_field = FloatField()

    # SQL standard EXTRACT(EPOCH …), which PostgreSQL speaks; SQLite has its own below.
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)")


class PercentileCont(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression): PostgreSQL only."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=f"{float(fraction)!r}", **extra)
