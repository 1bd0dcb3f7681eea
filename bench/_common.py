"""Shared helpers for the benchmark scripts: Django set-up against a chosen database,
timing with percentiles, SQL query counts, peak memory and the final JSON line.

Benchmarks are not tests: each script builds its data, measures and prints figures,
the last line of its output being one JSON object holding every figure."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def parser(description: str, *, repeat: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--database-url",
        default=None,
        help="VANBAN_DATABASE_URL to build and measure in (default: $VANBAN_DATABASE_URL, "
        "else a SQLite file of its own under $VANBAN_VAR_DIR, never the development database)",
    )
    if repeat:
        p.add_argument("--repeat", type=int, default=20, help="repetitions of each fast measurement (default 20)")
    return p


def setup_django(database_url: str | None, default_sqlite_name: str) -> str:
    """Point the settings at the benchmark database, set Django up and migrate.

    Returns the database URL in use. Static files use the plain storage so pages render
    without a collectstatic manifest (the manifest lookup is not what we measure)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if database_url is None:
        database_url = os.environ.get("VANBAN_DATABASE_URL")
    if database_url is None:
        var_dir = Path(os.environ.get("VANBAN_VAR_DIR", ROOT / "var"))
        var_dir.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{var_dir / default_sqlite_name}"
    os.environ["VANBAN_DATABASE_URL"] = database_url
    os.environ.setdefault("VANBAN_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    os.environ.setdefault("VANBAN_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return database_url


def engine() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            return f"postgresql {cur.fetchone()[0]}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version}"
    return connection.vendor


def analyze() -> None:
    """Refresh planner statistics after a bulk build, as autovacuum would shortly do;
    VACUUM also sets the visibility map so index-only scans are possible."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM ANALYZE")
        elif connection.vendor == "sqlite":
            cur.execute("ANALYZE")


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(samples_ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 50), 1),
        "p95_ms": round(percentile(samples_ms, 95), 1),
        "max_ms": round(max(samples_ms), 1),
        "mean_ms": round(statistics.fmean(samples_ms), 1),
    }


def measure(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> dict[str, Any]:
    """Run fn `warmup` times unmeasured (caches, connection), then `repeat` times."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return summarise(samples)


def count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def get_ok(client: Any, url: str, expected: int = 200) -> Callable[[], Any]:
    """A zero-argument GET that fails loudly if the page does not answer as expected,
    so a redirect to the login page is never timed as a fast page."""

    def call() -> Any:
        response = client.get(url)
        if response.status_code != expected:
            raise SystemExit(f"GET {url} answered {response.status_code}, expected {expected}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response

    return call


def web_client(username: str) -> Any:
    """A Django test Client signed in as `username` (session cookie, no password
    check), so every request runs the middleware, permission checks and templates."""
    from django.test import Client

    from vanban.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def print_table(rows: dict[str, dict[str, Any]], extra_columns: tuple[str, ...] = ()) -> None:
    width = max((len(k) for k in rows), default=10)
    header = f"{'measurement':<{width}}  {'n':>3}  {'p50 ms':>9}  {'p95 ms':>9}  {'max ms':>9}"
    header += "".join(f"  {c:>8}" for c in extra_columns)
    print(header)
    for name, r in rows.items():
        line = f"{name:<{width}}  {r['n']:>3}  {r['p50_ms']:>9.1f}  {r['p95_ms']:>9.1f}  {r['max_ms']:>9.1f}"
        line += "".join(f"  {r.get(c, ''):>8}" for c in extra_columns)
        print(line)


def emit(result: dict[str, Any]) -> None:
    """The last line of output: every figure as one JSON object."""
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False, default=str))
