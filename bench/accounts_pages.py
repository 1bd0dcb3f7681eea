"""Benchmark: account administration pages with ten thousand accounts.

Builds the demo ministry plus N extra people (default 10,000) in bulk: users sharing
one precomputed password hash (argon2 per account would take hours), each with a real
open Appointment in a unit and the matching RoleGrants, a few with a second post or a
finished one. Then, signed in through Django's test Client, times the accounts list
(plain, a deep page, by unit, by search text), the units page, the directory and
/api/v1/accounts, and counts each page's SQL queries. A second run measures only.

    .venv/bin/python bench/accounts_pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/vanban_bench_accounts
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from typing import Any
from urllib.parse import urlencode

import _common

SEED = 20260102
FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4), ("Vũ", 4),
    ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1.5), ("Ngô", 1.5), ("Dương", 1), ("Lý", 1),
    ("Đinh", 1), ("Trịnh", 1), ("Đoàn", 1), ("Lương", 0.5), ("Mai", 0.5), ("Tạ", 0.3), ("Kiều", 0.2),
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Hồng", "Xuân", "Anh", "Kim", "Bảo"]
GIVEN = [
    "An", "Anh", "Bình", "Châu", "Chi", "Cường", "Dũng", "Duy", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa",
    "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngân", "Nhung", "Oanh",
    "Phong", "Phúc", "Phương", "Quang", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn",
    "Tùng", "Uyên", "Vân", "Việt", "Yến",
]  # fmt: skip
# position code, role for the post, share of people
POSTS = [
    ("chuyen-vien", "specialist", 0.55),
    ("chuyen-vien-chinh", "specialist", 0.25),
    ("van-thu", "unit_clerk", 0.06),
    ("pho-truong-phong", "unit_leader", 0.08),
    ("truong-phong", "unit_leader", 0.06),
]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


def build_accounts(n: int) -> dict[str, Any]:
    """Bulk rows equal to what create_account + appoint + grant_role would write
    (without their audit events, which these pages do not read)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from vanban.accounts.models import User
    from vanban.organisation.demo import DEMO_PASSWORD, FOUNDED
    from vanban.organisation.models import Appointment, Position, RoleGrant, Unit

    rng = random.Random(SEED)
    started = time.perf_counter()
    password = make_password(DEMO_PASSWORD)  # one argon2 hash shared by all: login works, build stays fast
    units = list(Unit.objects.filter(status=Unit.Status.ACTIVE))
    # Bigger units (Cục, Tổng cục) hold more people than a Vụ or a Phòng.
    unit_weights = [{"cuc": 4, "tong_cuc": 6, "phong": 1.5}.get(str(u.kind), 2) for u in units]
    positions = {p.code: p for p in Position.objects.all()}
    now = timezone.now()
    seen: set[str] = set(User.objects.values_list("username", flat=True))
    users = []
    for i in range(n):
        family = rng.choices([f for f, _ in FAMILY], [w for _, w in FAMILY])[0]
        full_name = f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        parts = _ascii(full_name).split()
        base = parts[-1] + "".join(p[0] for p in parts[:-1])  # "Nguyễn Văn An" -> annv
        username = base if base not in seen else f"{base}{i}"
        seen.add(username)
        users.append(
            User(
                username=username,
                full_name=full_name,
                email=f"{username}@moit.gov.vn",
                phone=f"09{rng.randrange(10**8):08d}",
                password=password,
                is_active=rng.random() > 0.03,
                date_joined=now - dt.timedelta(days=rng.randrange(1, 600)),
            )
        )
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("pk"))
        appointments, grants = [], []
        for user in users:
            unit = rng.choices(units, unit_weights)[0]
            code, role, _ = rng.choices(POSTS, [w for *_, w in POSTS])[0]
            appointments.append(Appointment(user=user, unit=unit, position=positions[code], start_date=FOUNDED))
            grants.append(RoleGrant(user=user, role=role, unit=unit))
            r = rng.random()
            if r < 0.03:  # kiêm nhiệm: a second, non-primary post
                other = rng.choice(units)
                if other != unit:
                    appointments.append(
                        Appointment(
                            user=user,
                            unit=other,
                            position=positions["chuyen-vien"],
                            is_primary=False,
                            start_date=FOUNDED,
                        )
                    )
            elif r < 0.08:  # moved here from another unit
                appointments.append(
                    Appointment(
                        user=user,
                        unit=rng.choice(units),
                        position=positions["chuyen-vien"],
                        start_date=FOUNDED - dt.timedelta(days=900),
                        end_date=FOUNDED - dt.timedelta(days=1),
                    )
                )
        Appointment.objects.bulk_create(appointments, batch_size=2000)
        RoleGrant.objects.bulk_create(grants, batch_size=2000)
    elapsed = time.perf_counter() - started
    return {"built": n, "appointments": len(appointments), "role_grants": len(grants), "build_s": round(elapsed, 1)}


def main() -> None:
    p = _common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--accounts", type=int, default=10_000, help="extra accounts to hold (default 10,000)")
    args = p.parse_args()
    url = _common.setup_django(args.database_url, "bench-accounts.sqlite3")

    from vanban.accounts.models import User
    from vanban.organisation.demo import PEOPLE, load_demo
    from vanban.organisation.models import Unit

    result: dict[str, Any] = {"benchmark": "accounts_pages", "database": _common.engine()}
    print(f"database: {result['database']} ({url.split('@')[-1]})")
    load_demo()
    extra = User.objects.count() - len(PEOPLE)
    if extra >= args.accounts:
        print(f"{extra:,} extra accounts already present: measuring only")
        result["build"] = {"built": 0, "skipped": True}
    else:
        print(f"building {args.accounts - extra:,} accounts", flush=True)
        result["build"] = build_accounts(args.accounts - extra)
        _common.analyze()
    result["accounts"] = User.objects.count()

    unit = Unit.objects.get(short_name="TMĐT")
    leaf = Unit.objects.get(short_name="XNK-QLXK")

    def q(params: dict[str, Any]) -> str:
        return "?" + urlencode(params)

    pages = {
        "web_accounts_list": "/quan-tri/tai-khoan/",
        "web_accounts_page_100": "/quan-tri/tai-khoan/" + q({"page": 100}),
        "web_accounts_by_unit": "/quan-tri/tai-khoan/" + q({"unit": unit.pk}),
        "web_accounts_by_leaf_unit": "/quan-tri/tai-khoan/" + q({"unit": leaf.pk}),
        "web_accounts_search": "/quan-tri/tai-khoan/" + q({"q": "nguyen van"}),
        "web_accounts_search_rare": "/quan-tri/tai-khoan/" + q({"q": "kieu"}),
        "web_units": "/quan-tri/don-vi/",
        "web_directory": "/danh-ba/",
        "web_directory_search": "/danh-ba/" + q({"q": "nguyen van"}),
        "api_accounts": "/api/v1/accounts",
        "api_accounts_by_unit": "/api/v1/accounts" + q({"unit": unit.pk}),
        "api_accounts_search": "/api/v1/accounts" + q({"q": "Nguyễn Văn"}),
    }
    # A unit administrator's list is narrowed to their units in SQL: a different plan.
    unit_admin_pages = {
        "web_accounts_list_as_unit_admin": "/quan-tri/tai-khoan/",
        "api_accounts_as_unit_admin": "/api/v1/accounts",
    }
    timings: dict[str, dict[str, Any]] = {}
    for who, targets in (("quantri", pages), ("qt.xnk", unit_admin_pages)):
        client = _common.web_client(who)
        for name, path in targets.items():
            call = _common.get_ok(client, path)
            figures = _common.measure(call, args.repeat)
            figures["queries"] = _common.count_queries(call)
            figures["bytes"] = len(call().content)
            figures["url"] = path
            figures["as"] = who
            timings[name] = figures
            print(
                f"  {name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, {figures['queries']} queries",
                flush=True,
            )

    print()
    _common.print_table(timings, ("queries", "bytes"))
    result["timings"] = timings
    result["peak_rss_mb"] = _common.peak_rss_mb()
    _common.emit(result)


if __name__ == "__main__":
    main()
