"""Benchmark: the event log and usage monitoring at a million events.

Builds the demo ministry and N audit events for its people over the last 365 days
(correctly hash-chained, so `verify_chain` passes), then, signed in as a system
administrator through Django's test Client, times the log page and API with each
filter, the next and a deep keyset page, the usage page and API for 30 and 365 days,
and the chain check. A second run on the same database measures only.

    .venv/bin/python bench/audit_log.py --events 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/vanban_bench
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import _common

VN = dt.timezone(dt.timedelta(hours=7))
CHUNK = 20_000  # events per transaction
SEED = 20260101

# (action, relative weight, who may do it). Logins dominate a working day; account
# administration is next; the organisation chart changes rarely.
ACTIONS: list[tuple[str, float, str]] = [
    ("auth.login", 48.0, "anyone"),
    ("auth.logout", 22.0, "anyone"),
    ("auth.login_failed", 4.0, "failed"),
    ("auth.locked_out", 0.15, "failed"),
    ("auth.password_changed", 0.6, "anyone"),
    ("auth.totp_enabled", 0.05, "anyone"),
    ("token.used", 3.0, "api"),
    ("account.updated", 6.0, "admin"),
    ("account.created", 1.5, "admin"),
    ("account.appointed", 1.5, "admin"),
    ("account.role_granted", 1.5, "admin"),
    ("account.role_revoked", 0.4, "admin"),
    ("account.password_reset", 1.0, "admin"),
    ("account.unlocked", 0.3, "admin"),
    ("account.deactivated", 0.3, "admin"),
    ("account.reactivated", 0.1, "admin"),
    ("account.appointment_ended", 0.5, "admin"),
    ("unit.created", 0.3, "admin"),
    ("unit.renamed", 0.3, "admin"),
    ("unit.moved", 0.08, "admin"),
    ("unit.merged", 0.02, "admin"),
    ("unit.dissolved", 0.02, "admin"),
    ("delegation.created", 0.3, "anyone"),
    ("delegation.revoked", 0.15, "anyone"),
    ("audit.exported", 0.03, "sysadmin"),
    ("monitoring.exported", 0.03, "sysadmin"),
    ("audit.verified", 0.02, "sysadmin"),
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Edg/126.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
]
API_AGENT = "python-requests/2.32.3"


class Person:
    def __init__(self, pk: int, username: str, full_name: str, email: str, unit_id: int | None, weight: float):
        self.pk, self.username, self.full_name, self.email = pk, username, full_name, email
        self.unit_id, self.weight = unit_id, weight
        self.ip = f"10.{20 + (pk % 30)}.{pk % 250}.{(pk * 7) % 250 + 2}"


def _people(rng: random.Random) -> dict[str, list[Person]]:
    from vanban.accounts.models import User
    from vanban.organisation.models import RoleGrant
    from vanban.organisation.roles import Role
    from vanban.organisation.selectors import primary_unit_id

    everyone = [
        # Activity differs a lot between people: clerks and specialists work in the
        # system all day, some leaders rarely sign in themselves.
        Person(u.pk, u.username, u.full_name, u.email, primary_unit_id(u), rng.lognormvariate(0, 0.8))
        for u in User.objects.filter(is_active=True).order_by("pk")
    ]
    roles: dict[int, set[str]] = {}
    for user_id, role in RoleGrant.objects.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    sysadmins = [p for p in everyone if Role.SYSTEM_ADMIN in roles.get(p.pk, set())]
    admins = [p for p in everyone if roles.get(p.pk, set()) & {Role.SYSTEM_ADMIN, Role.UNIT_ADMIN}]
    return {"anyone": everyone, "admin": admins, "sysadmin": sysadmins, "api": admins + everyone[:5]}


def _day_counts(n: int, days: list[dt.date]) -> list[int]:
    """N split over the days, weekdays busy, weekends nearly idle, summing exactly to N."""
    weights = [1.0 if d.weekday() < 5 else (0.08 if d.weekday() == 5 else 0.03) for d in days]
    total = sum(weights)
    counts, acc, given = [], 0.0, 0
    for w in weights:
        acc += n * w / total
        k = round(acc) - given
        counts.append(k)
        given += k
    return counts


def _times_of_day(rng: random.Random, k: int) -> list[float]:
    """Seconds after midnight (Vietnam time), sorted: mostly office hours with a lunch break."""
    out = []
    for _ in range(k):
        r = rng.random()
        if r < 0.47:
            out.append(rng.uniform(7.5 * 3600, 11.75 * 3600))
        elif r < 0.92:
            out.append(rng.uniform(13.25 * 3600, 17.25 * 3600))
        else:
            out.append(rng.uniform(0, 86_399))
    out.sort()
    return out


def _timestamps(rng: random.Random, n: int) -> Iterator[dt.datetime]:
    now = dt.datetime.now(VN)
    today = now.date()
    days = [today - dt.timedelta(days=i) for i in range(364, -1, -1)]
    for day, k in zip(days, _day_counts(n, days), strict=True):
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=VN)
        for seconds in _times_of_day(rng, k):
            at = midnight + dt.timedelta(seconds=seconds, microseconds=rng.randrange(1_000_000))
            # Today's events stay in the past; their order no longer matters much.
            yield min(at, now - dt.timedelta(seconds=1)).astimezone(dt.UTC)


def _event_fields(rng: random.Random, action: str, kind: str, people: dict[str, list[Person]], units: list[Any]):
    """(actor or None, actor_username, target_type, target_id, target_repr, data, channel)."""
    pool = people["anyone"]
    if kind == "failed":
        victim = rng.choice(pool)
        typed = rng.choice([victim.username, victim.username, victim.email, victim.username + "1", "admin"])
        return None, typed, "", "", "", {"username": typed}, "web"
    actor = rng.choices(people[kind], weights=[p.weight for p in people[kind]])[0]
    channel = "api" if kind == "api" or rng.random() < 0.05 else "web"
    if action.startswith("auth."):
        return actor, actor.username, "accounts.user", str(actor.pk), actor.full_name, {}, channel
    if action == "token.used":
        return actor, actor.username, "accounts.apitoken", str(rng.randrange(1, 60)), "Mã truy cập", {}, "api"
    if action.startswith("unit."):
        unit = rng.choice(units)
        data = (
            {"before": {"name": unit.name}, "after": {"name": unit.name + " (mới)"}} if action == "unit.renamed" else {}
        )
        return actor, actor.username, "organisation.unit", str(unit.pk), unit.name, data, channel
    target = rng.choice(pool)
    if action == "account.updated":
        data = {
            "before": {"phone": f"09{rng.randrange(10**8):08d}"},
            "after": {"phone": f"09{rng.randrange(10**8):08d}"},
        }
    elif action in ("account.role_granted", "account.role_revoked"):
        data = {"role": rng.choice(["specialist", "unit_clerk", "unit_leader"]), "unit": target.unit_id}
    elif action == "account.appointed":
        data = {"unit": target.unit_id, "position": rng.randrange(1, 16)}
    elif action.startswith(("delegation.", "audit.", "monitoring.")):
        return actor, actor.username, "", "", "", {}, channel
    else:
        data = {}
    return actor, actor.username, "accounts.user", str(target.pk), target.full_name, data, channel


def build_events(n: int) -> dict[str, Any]:
    """Append n events to the chain in bulk: the same rows `audit.record` would write,
    hashed with the real `compute_hash`, CHUNK events per transaction."""
    from django.db import transaction

    from vanban.audit.models import AuditChainHead, AuditEvent
    from vanban.audit.services import compute_hash
    from vanban.organisation.models import Unit

    rng = random.Random(SEED)
    people = _people(rng)
    units = list(Unit.objects.all())
    actions = [a for a, _, _ in ACTIONS]
    weights = [w for _, w, _ in ACTIONS]
    kinds = dict((a, k) for a, _, k in ACTIONS)
    stamps = _timestamps(rng, n)
    started = time.perf_counter()
    hashing = 0.0
    done = 0
    while done < n:
        size = min(CHUNK, n - done)
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            prev = head.last_hash
            batch = []
            t0 = time.perf_counter()
            for _ in range(size):
                action = rng.choices(actions, weights)[0]
                actor, username, ttype, tid, trepr, data, channel = _event_fields(
                    rng, action, kinds[action], people, units
                )
                event = AuditEvent(
                    occurred_at=next(stamps),
                    actor_id=actor.pk if actor else None,
                    actor_username=username,
                    actor_unit_id=actor.unit_id if actor else None,
                    action=action,
                    target_type=ttype,
                    target_id=tid,
                    target_repr=trepr,
                    data=data,
                    ip_address=actor.ip
                    if actor
                    else f"113.{rng.randrange(160, 192)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                    user_agent=API_AGENT if channel == "api" else rng.choice(USER_AGENTS),
                    channel=channel,
                    prev_hash=prev,
                )
                event.hash = compute_hash(event)
                prev = event.hash
                batch.append(event)
            hashing += time.perf_counter() - t0
            AuditEvent.objects.bulk_create(batch, batch_size=2000)
            head.last_event_id = AuditEvent.objects.filter(hash=prev).values_list("pk", flat=True).get()
            head.last_hash = prev
            head.save(update_fields=["last_event_id", "last_hash"])
        done += size
        if done % 100_000 < CHUNK or done == n:
            rate = done / (time.perf_counter() - started)
            print(f"  built {done:,} events ({rate:,.0f}/s)", flush=True)
    elapsed = time.perf_counter() - started
    return {
        "built": n,
        "build_s": round(elapsed, 1),
        "build_rate_per_s": round(n / elapsed),
        "python_s": round(hashing, 1),
    }


def main() -> None:
    p = _common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="audit events to hold (default 1,000,000)")
    p.add_argument("--slow-repeat", type=int, default=5, help="repetitions of the usage pages (default 5)")
    args = p.parse_args()
    url = _common.setup_django(args.database_url, "bench-audit.sqlite3")

    from vanban.audit.models import AuditEvent
    from vanban.audit.selectors import AuditFilter, encode_cursor, filtered_events, page_events
    from vanban.audit.verify import verify_chain
    from vanban.organisation.demo import load_demo
    from vanban.organisation.models import Unit

    result: dict[str, Any] = {"benchmark": "audit_log", "database": _common.engine(), "events_target": args.events}
    print(f"database: {result['database']} ({url.split('@')[-1]})")
    load_demo()
    existing = AuditEvent.objects.count()
    if existing >= args.events:
        print(f"{existing:,} events already present: measuring only")
        result["build"] = {"built": 0, "skipped": True}
    else:
        print(f"building {args.events - existing:,} events ({existing:,} present)")
        result["build"] = build_events(args.events - existing)
        t0 = time.perf_counter()
        _common.analyze()
        result["build"]["analyze_s"] = round(time.perf_counter() - t0, 1)
    result["events"] = AuditEvent.objects.count()

    from vanban.accounts.models import User

    admin = User.objects.get(username="quantri")
    client = _common.web_client("quantri")
    person = User.objects.get(username="cv.cntt")
    unit = Unit.objects.get(short_name="TMĐT")
    today = dt.datetime.now(VN).date()
    week = (today - dt.timedelta(days=100), today - dt.timedelta(days=94))
    year = today - dt.timedelta(days=364)
    everything = filtered_events(admin, AuditFilter())
    cursor = page_events(everything).next_cursor
    middle = everything.filter(occurred_at__lte=dt.datetime.now(dt.UTC) - dt.timedelta(days=180)).first()
    deep_cursor = encode_cursor(middle) if middle else cursor

    def q(params: dict[str, Any]) -> str:
        return "?" + urlencode(params) if params else ""

    filters: dict[str, dict[str, Any]] = {
        "unfiltered": {},
        "person_id": {"actor": person.pk},
        "person_text": {"q": "nguyen"},
        "unit": {"unit": unit.pk},
        "action": {"action": "auth.login_failed"},
        "action_group": {"action": "unit.*"},
        "period_7d": {"date_from": week[0].isoformat(), "date_to": week[1].isoformat()},
        "unit_action_period": {
            "unit": unit.pk,
            "action": "account.*",
            "date_from": week[0].isoformat(),
            "date_to": week[1].isoformat(),
        },
    }
    targets: dict[str, tuple[str, int]] = {}
    for name, params in filters.items():
        targets[f"web_audit_{name}"] = ("/quan-tri/nhat-ky/" + q(params), args.repeat)
    targets["web_audit_next_page"] = ("/quan-tri/nhat-ky/" + q({"truoc": cursor}), args.repeat)
    targets["web_audit_deep_page_180d"] = ("/quan-tri/nhat-ky/" + q({"truoc": deep_cursor}), args.repeat)
    for name, params in filters.items():
        targets[f"api_audit_{name}"] = ("/api/v1/audit/events" + q(params), args.repeat)
    targets["api_audit_next_page"] = ("/api/v1/audit/events" + q({"cursor": "o" + cursor}), args.repeat)
    targets["web_usage_30d"] = ("/quan-tri/giam-sat/", args.slow_repeat)
    targets["web_usage_365d"] = (
        "/quan-tri/giam-sat/" + q({"date_from": year.isoformat(), "date_to": today.isoformat()}),
        args.slow_repeat,
    )
    targets["api_usage_30d"] = ("/api/v1/usage/summary", args.slow_repeat)
    targets["api_usage_365d"] = (
        "/api/v1/usage/summary" + q({"date_from": year.isoformat(), "date_to": today.isoformat()}),
        args.slow_repeat,
    )

    timings: dict[str, dict[str, Any]] = {}
    for name, (path, repeat) in targets.items():
        call = _common.get_ok(client, path)
        figures = _common.measure(call, repeat)
        figures["queries"] = _common.count_queries(call)
        figures["url"] = path
        timings[name] = figures
        print(
            f"  {name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, {figures['queries']} queries",
            flush=True,
        )

    t0 = time.perf_counter()
    report = verify_chain()
    seconds = time.perf_counter() - t0
    if not report.ok:
        raise SystemExit(f"chain broken at #{report.broken_at}: {report.reason}")
    result["verify_chain"] = {
        "ok": report.ok,
        "checked": report.checked,
        "s": round(seconds, 1),
        "events_per_s": round(report.checked / seconds),
    }

    print()
    _common.print_table(timings, ("queries",))
    print(f"verify_chain: {report.checked:,} events in {seconds:.1f} s ({report.checked / seconds:,.0f}/s)")
    result["timings"] = timings
    result["peak_rss_mb"] = _common.peak_rss_mb()
    _common.emit(result)


if __name__ == "__main__":
    main()
