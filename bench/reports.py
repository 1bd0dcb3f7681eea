"""Benchmark: the statistics dashboard ("Thống kê") at a million incoming documents.

Builds, straight in SQL (INSERT … SELECT generate_series, not the services: the point
is the read side), N incoming documents spread evenly from 01/01/2024 to today in the
ministry's yearly registers (a tenth in the register of Cục Xuất nhập khẩu), each with
a direction and a lead assignment (chủ trì) to one of the demo's top-level units; a
fifth of the Cục XNK's leads re-assigned to its Phòng Quản lý xuất khẩu; old work mostly
completed (some late), recent work open (some overdue); the latest documents waiting
for a leader (pending presentations); and N/10 issued outgoing documents.

Then times the dashboard page through Django's test Client (middleware, permission
filters, every SQL aggregate, the SVG charts and the template) signed in as a ministry
leader (bt.hoang: the whole ministry) and as the Cục XNK's clerk (vanthu.xnk: the
unit's subtree, through the visibility filters), with the default period (three
calendar months) and with a year; also the API, a drill-down list and the report page.

    .venv/bin/python bench/reports.py --documents 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/vanban_bench_reports
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any
from urllib.parse import urlencode

import _common

START = dt.date(2024, 1, 1)
GOAL_P95_MS = 300.0


def _registers(years: list[int]) -> dict[tuple[int, str], int]:
    from vanban.documents.models import Register
    from vanban.organisation.models import Organ, Unit

    organ = Organ.objects.get(is_own=True)
    xnk = Unit.objects.get(short_name="XNK")
    result = {}
    for year in years:
        for owner, unit in (("bo", None), ("xnk", xnk)):
            register, _ = Register.objects.get_or_create(
                organ=organ, unit=unit, kind=Register.Kind.INCOMING, year=year,
                name=f"Sổ văn bản đến {year} (đo tải thống kê)", defaults={"is_default": False},
            )  # fmt: skip
            result[(year, owner)] = register.pk
    return result


SUMMARY_TRIGGERS = (
    ("workflow_assignment", "reports_ws_assignment"),
    ("incoming_incomingdocument", "reports_ws_document"),
    ("workflow_assignment", "reports_iu_assignment"),
    ("incoming_incomingdocument", "reports_iu_document"),
)


def build(documents: int) -> float:
    """Returns the build time in seconds (0 when the data is already there)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vanban.accounts.models import User
    from vanban.documents.models import DocumentType
    from vanban.incoming.models import IncomingDocument
    from vanban.organisation.models import Organ, Unit
    from vanban.reports.summary import rebuild_all

    today = timezone.localdate()
    years = list(range(START.year, today.year + 1))
    registers = _registers(years)
    have = IncomingDocument.objects.filter(register_id__in=registers.values()).count()
    if have >= documents:
        return 0.0
    if have:
        raise SystemExit(f"{have} benchmark documents exist, fewer than {documents}: use a fresh database")
    t0 = time.perf_counter()
    clerk = User.objects.get(username="vanthu.bo").pk
    unit_clerk = User.objects.get(username="vanthu.xnk").pk
    leaders = list(
        User.objects.filter(username__in=["bt.hoang", "tt.nguyen", "tt.pham", "tt.do"]).values_list("pk", flat=True)
    )
    types = list(DocumentType.objects.filter(is_forbidden=False).order_by("pk").values_list("pk", flat=True))[:20]
    senders = [
        "UBND tỉnh Nghệ An",
        "Bộ Tài chính",
        "Văn phòng Chính phủ",
        "Tổng cục Hải quan",
        "Sở Công Thương Hà Nội",
        "Tập đoàn Điện lực Việt Nam",
        "Ngân hàng Nhà nước Việt Nam",
    ]
    senders += [f"UBND tỉnh số {i}" for i in range(1, 64)] + [f"Doanh nghiệp số {i}" for i in range(1, 131)]
    organs = [Organ.objects.get_or_create(name=name, defaults={"short_name": name[:10]})[0].pk for name in senders]
    tops = list(Unit.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True))
    xnk = Unit.objects.get(short_name="XNK").pk
    qlxk = Unit.objects.get(short_name="XNK-QLXK").pk
    days = (today - START).days + 1
    per_day = documents / days

    def arr(values: list[int]) -> str:
        return "ARRAY[" + ",".join(str(v) for v in values) + "]"

    with transaction.atomic(), connection.cursor() as cur:
        # The reports' work read model is filled once after the build (the recovery path,
        # `vanban reports rebuild-summary`) rather than row by row by its triggers. The
        # DDL is transactional: a failed build leaves the triggers enabled.
        for table, trigger in SUMMARY_TRIGGERS:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        # Documents, year by year so arrival numbers run per register; one in ten goes to
        # the Cục XNK's own register. Arrival times spread over working hours.
        done = 0
        for year in years:
            first = max(START, dt.date(year, 1, 1))
            last = min(today, dt.date(year, 12, 31))
            count = round(per_day * ((last - first).days + 1)) if year != years[-1] else documents - done
            for owner, share, registrar in (("bo", 0.9, clerk), ("xnk", 0.1, unit_clerk)):
                n = round(count * share) if owner == "bo" else count - round(count * 0.9)
                span = (last - first).days + 1
                cur.execute(
                    f"""
                    INSERT INTO incoming_incomingdocument
                      (register_id, arrival_number, arrival_date, document_type_id, code_number, code_notation,
                       issued_date, issuing_organ_id, subject, language, description, signer_name, signer_position,
                       urgency, secrecy, receipt_method, to_places, notation_key, status, registered_by_id,
                       registered_at)
                    SELECT %s, g, t, ({arr(types)})[1 + (g * 7) %% {len(types)}], (g %% 9000 + 1)::text, 'UBND-KT',
                           (t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - (g %% 5), ({arr(organs)})[1 + (g * 13) %% {len(organs)}],
                           'V/v báo cáo tình hình số ' || g, 'Tiếng Việt', '', 'Nguyễn Văn A', 'Phó Chủ tịch',
                           CASE WHEN g %% 10 = 0 THEN 'khan' ELSE 'normal' END, 'none', 'paper', '', 'UBND-KT',
                           'in_progress', %s, t
                    FROM (SELECT g, (%s::date + ((g - 1) * %s::float / %s) * interval '1 day'
                                     + interval '1 hour' + (g %% 9) * interval '1 hour') AT TIME ZONE 'Asia/Ho_Chi_Minh' AS t
                          FROM generate_series(1, %s) g) s
                    """,
                    [registers[(year, owner)], registrar, first, span, n, n],
                )
            done += count
        doc_ids = f"register_id IN ({','.join(str(v) for v in registers.values())})"
        # The latest 0.3 % wait for a leader; the 0.2 % before them for registration only.
        cur.execute(f"SELECT count(*) FROM incoming_incomingdocument WHERE {doc_ids}")
        total = cur.fetchone()[0]
        cur.execute(
            f"""
            WITH ranked AS (SELECT id, row_number() OVER (ORDER BY arrival_date DESC) AS r
                            FROM incoming_incomingdocument WHERE {doc_ids})
            UPDATE incoming_incomingdocument d SET status = CASE WHEN r <= %s THEN 'presented' ELSE 'registered' END
            FROM ranked WHERE ranked.id = d.id AND r <= %s
            """,
            [int(total * 0.003), int(total * 0.005)],
        )
        cur.execute(
            f"""
            INSERT INTO workflow_presentation (document_id, leader_id, proposal, presented_by_id, presented_at, status)
            SELECT id, ({arr(leaders)})[1 + id %% {len(leaders)}], '', registered_by_id, arrival_date + interval '1 hour',
                   'pending'
            FROM incoming_incomingdocument WHERE {doc_ids} AND status = 'presented'
            """,
            [],
        )
        # A direction and a lead for every document in progress. Deadline ten days after
        # arrival; documents older than 30 days are completed (one in eight late), the
        # recent ones still open (past their deadline: overdue).
        cur.execute(
            f"""
            INSERT INTO workflow_direction (document_id, author_id, text, created_at)
            SELECT id, ({arr(leaders)})[1 + id %% {len(leaders)}], 'Giao xử lý', arrival_date + interval '2 hours'
            FROM incoming_incomingdocument WHERE {doc_ids} AND status = 'in_progress'
            """,
            [],
        )
        cur.execute(
            f"""
            INSERT INTO workflow_assignment
              (document_id, direction_id, role, assignee_unit_id, deadline, assigned_by_id, assigned_at, status,
               progress, result, return_reason, started_at, closed_at)
            SELECT d.document_id, d.id, 'lead',
                   CASE WHEN doc.register_id IN ({",".join(str(registers[(y, "xnk")]) for y in years)}) THEN {xnk}
                        ELSE ({arr(tops)})[1 + d.document_id %% {len(tops)}] END,
                   (doc.arrival_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 10, d.author_id, d.created_at,
                   CASE WHEN doc.arrival_date < now() - interval '30 days' THEN 'completed'
                        WHEN d.document_id %% 3 = 0 THEN 'assigned' ELSE 'in_progress' END,
                   0, '', '', d.created_at,
                   CASE WHEN doc.arrival_date < now() - interval '30 days'
                        THEN doc.arrival_date + (CASE WHEN d.document_id %% 8 = 0 THEN 14 ELSE 1 + d.document_id %% 9 END)
                             * interval '1 day' END
            FROM workflow_direction d JOIN incoming_incomingdocument doc ON doc.id = d.document_id
            WHERE doc.{doc_ids}
            """,
            [],
        )
        # A fifth of the Cục XNK's leads go down to its Phòng QLXK (a child lead, same state).
        cur.execute(
            f"""
            INSERT INTO workflow_assignment
              (document_id, direction_id, parent_id, role, assignee_unit_id, deadline, assigned_by_id, assigned_at,
               status, progress, result, return_reason, started_at, closed_at)
            SELECT a.document_id, a.direction_id, a.id, 'lead', {qlxk}, a.deadline - 1, a.assigned_by_id,
                   a.assigned_at + interval '1 hour', a.status, 0, '', '', a.started_at, a.closed_at
            FROM workflow_assignment a
            WHERE a.assignee_unit_id = {xnk} AND a.parent_id IS NULL AND a.document_id %% 5 = 0
            """,
            [],
        )
        cur.execute(
            f"""UPDATE incoming_incomingdocument d SET status = 'completed' FROM workflow_assignment a
                WHERE a.document_id = d.id AND a.parent_id IS NULL AND a.status = 'completed' AND d.{doc_ids}""",
            [],
        )
        # Outgoing: one issued document for every ten incoming ones, by the top-level units.
        signer = leaders[0]
        cur.execute(
            f"""
            INSERT INTO outgoing_outgoingdocument
              (organ_id, drafting_unit_id, document_type_id, subject, signer_id, signer_position, signing_authority,
               to_places, urgency, restricted, relation, status, created_by_id, created_at, number, code_notation,
               issued_date, issued_at, issued_by_id, recall_reason)
            SELECT (SELECT id FROM organisation_organ WHERE is_own LIMIT 1), ({arr(tops)})[1 + g %% {len(tops)}],
                   ({arr(types)})[1 + g %% {len(types)}], 'V/v trả lời số ' || g, {signer}, 'Thứ trưởng', 'KT', '',
                   'normal', false, 'new', 'issued', {clerk}, t, g, 'BCT-' || g %% 10, (t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
                   t, {clerk}, ''
            FROM (SELECT g, (%s::date + ((g - 1) * %s::float / %s) * interval '1 day' + interval '3 hours')
                             AT TIME ZONE 'Asia/Ho_Chi_Minh' AS t
                  FROM generate_series(1, %s) g) s
            """,
            [START, days, documents // 10, documents // 10],
        )
        # Django's foreign keys are deferred: their checks of the rows above are still
        # queued, and PostgreSQL refuses ALTER TABLE on a table with queued trigger events.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in SUMMARY_TRIGGERS:
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        t1 = time.perf_counter()
        rows, incoming_rows = rebuild_all()
        print(
            f"read models rebuilt: {rows} work rows, {incoming_rows} incoming rows in {time.perf_counter() - t1:.1f} s",
            flush=True,
        )
    _common.analyze()
    return time.perf_counter() - t0


def main() -> None:
    p = _common.parser("Dashboard render time at a million incoming documents")
    p.add_argument("--documents", type=int, default=1_000_000, help="incoming documents (default 1,000,000)")
    args = p.parse_args()
    url = _common.setup_django(args.database_url, "bench-reports.sqlite3")
    from django.db import connection
    from django.urls import reverse

    from vanban.accounts.models import User
    from vanban.organisation.demo import load_demo

    if connection.vendor != "postgresql":
        print("note: the figures that matter are PostgreSQL's; SQLite uses the portable p90 fallback")
    if not User.objects.filter(username="vanthu.bo").exists():
        load_demo()
    build_s = build(args.documents) if connection.vendor == "postgresql" else 0.0
    if connection.vendor != "postgresql":
        raise SystemExit("the build uses PostgreSQL SQL (generate_series): pass --database-url postgres://…")
    from django.utils import timezone

    from vanban.incoming.models import IncomingDocument
    from vanban.workflow.models import Assignment

    counts = {"incoming": IncomingDocument.objects.count(), "assignments": Assignment.objects.count()}
    print(
        f"engine {_common.engine()}, {counts['incoming']} incoming documents, {counts['assignments']} assignments"
        f"{f', built in {build_s:.0f} s' if build_s else ''}"
    )
    today = timezone.localdate()
    year = {"date_from": (today - dt.timedelta(days=364)).isoformat(), "date_to": today.isoformat()}
    dashboard = reverse("web:reports_dashboard")
    pages = {
        "dashboard leader (3 months)": ("bt.hoang", dashboard),
        "dashboard unit clerk (3 months)": ("vanthu.xnk", dashboard),
        "dashboard leader (12 months)": ("bt.hoang", f"{dashboard}?{urlencode(year)}"),
        "dashboard unit clerk (12 months)": ("vanthu.xnk", f"{dashboard}?{urlencode(year)}"),
        "api dashboard leader (3 months)": ("bt.hoang", "/api/v1/reports/dashboard"),
        "drill-down overdue, leader": ("bt.hoang", reverse("web:reports_figure") + "?figure=work&value=overdue"),
        "drill-down overdue, unit clerk": ("vanthu.xnk", reverse("web:reports_figure") + "?figure=work&value=overdue"),
        "report page leader (3 months)": ("bt.hoang", reverse("web:reports_report")),
    }
    # The machine's load says how far the figures can be trusted: on a shared host a
    # busy CPU multiplies every timing.
    load_before = os.getloadavg()
    rows: dict[str, dict[str, Any]] = {}
    clients: dict[str, Any] = {}
    for name, (username, target) in pages.items():
        client = clients.setdefault(username, _common.web_client(username))
        call = _common.get_ok(client, target)
        rows[name] = _common.measure(call, args.repeat)
        rows[name]["queries"] = _common.count_queries(call)
        print(
            f"{name}: p50 {rows[name]['p50_ms']} ms, p95 {rows[name]['p95_ms']} ms, {rows[name]['queries']} queries",
            flush=True,
        )
    load_after = os.getloadavg()
    print()
    _common.print_table(rows, ("queries",))
    print(f"load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} CPUs")
    goal = all(
        rows[k]["p95_ms"] <= GOAL_P95_MS for k in ("dashboard leader (3 months)", "dashboard unit clerk (3 months)")
    )
    print(f"goal p95 <= {GOAL_P95_MS:.0f} ms for the default dashboard: {'met' if goal else 'NOT met'}")
    _common.emit(
        {
            "benchmark": "reports",
            "engine": _common.engine(),
            "database": url.split("@")[-1],
            **counts,
            "build_s": round(build_s, 1),
            "repeat": args.repeat,
            "goal_p95_ms": GOAL_P95_MS,
            "goal_met": goal,
            "pages": rows,
            "peak_rss_mb": _common.peak_rss_mb(),
            "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
            "cpus": os.cpu_count(),
        }
    )


if __name__ == "__main__":
    main()
