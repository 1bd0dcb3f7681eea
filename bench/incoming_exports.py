"""Benchmark: printing and exporting a whole register year of incoming documents.

Builds a register of N documents (default 20,000, a busy ministry's year) and downloads
it through the web page as Excel and as the print-ready PDF, signed in as the ministry
clerk `vanthu.bo` (who may read every document), so the permission
selector, the streaming read, the builders, the audit event and the response all
count. Reports wall and CPU time per format, the file size, the SQL query count and
the process's peak RSS after each format.

    .venv/bin/python bench/incoming_exports.py \\
        --database-url postgres://postgres@127.0.0.1:5432/vanban_bench
    VANBAN_VAR_DIR=/tmp/vb .venv/bin/python bench/incoming_exports.py      # SQLite
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

import _common

REGISTER_NAME = "Sổ đăng ký văn bản đến (đo tải)"
SENDERS = [
    ("UBND tỉnh Nghệ An", "UBND-KT"),
    ("Bộ Tài chính", "BTC-CST"),
    ("Văn phòng Chính phủ", "VPCP-KTTH"),
    ("Tổng cục Hải quan", "TCHQ-GSQL"),
    ("Sở Công Thương Hà Nội", "SCT-QLTM"),
    ("Tập đoàn Điện lực Việt Nam", "EVN-KD"),
    ("Ngân hàng Nhà nước Việt Nam", "NHNN-QLNH"),
]
SUBJECTS = [
    "V/v báo cáo tình hình xuất khẩu gạo quý III",
    "V/v góp ý dự thảo Nghị định về thương mại điện tử",
    "V/v đề nghị cấp giấy phép nhập khẩu xăng dầu theo hạn ngạch thuế quan năm nay cho các thương nhân đầu mối",
    "V/v tình hình cung ứng điện mùa khô",
    "V/v phối hợp kiểm tra thị trường dịp Tết Nguyên đán",
    "V/v xử lý vướng mắc thủ tục chứng nhận xuất xứ hàng hóa theo các hiệp định thương mại tự do",
]
PLACES = ["Cục Xuất nhập khẩu", "Vụ Pháp chế; Cục Thương mại điện tử và Kinh tế số", "", "Văn phòng Bộ"]


def bench_register(kind: str, name: str) -> Any:
    """A register of the ministry of its own for this year (not the default one)."""
    from django.utils import timezone

    from vanban.documents.models import Register
    from vanban.organisation.models import Organ

    register, _ = Register.objects.get_or_create(
        organ=Organ.objects.get(is_own=True), unit=None, kind=kind, year=timezone.localdate().year, name=name,
        defaults={"is_default": False},
    )  # fmt: skip
    return register


def build(rows: int) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from vanban.accounts.models import User
    from vanban.documents.models import DocumentType
    from vanban.incoming.models import IncomingDocument
    from vanban.organisation.models import Organ

    register = bench_register("incoming", REGISTER_NAME)
    year = register.year
    have = register.incoming_documents.count()
    if have >= rows:
        return register
    clerk = User.objects.get(username="vanthu.bo")
    types = list(DocumentType.objects.filter(code__in=["cong-van", "bao-cao", "thong-bao", "ke-hoach"]))
    organs = [Organ.objects.get_or_create(name=name, defaults={"short_name": note[:10]})[0] for name, note in SENDERS]
    rng = random.Random(7)
    start = timezone.make_aware(dt.datetime(year, 1, 2, 8, 0))
    step = dt.timedelta(days=360) / rows
    batch = []
    for n in range(have + 1, rows + 1):
        sender = rng.randrange(len(SENDERS))
        arrival = start + step * n
        batch.append(
            IncomingDocument(
                register=register,
                arrival_number=n,
                arrival_date=arrival,
                document_type=rng.choice(types),
                code_number=str(rng.randint(1, 9999)),
                code_notation=SENDERS[sender][1],
                issued_date=timezone.localtime(arrival).date() - dt.timedelta(days=rng.randint(0, 5)),
                issuing_organ=organs[sender],
                subject=rng.choice(SUBJECTS),
                to_places=rng.choice(PLACES),
                urgency=rng.choice(["normal"] * 8 + ["khan", "thuong_khan"]),
                description=rng.choice(["", "", "", "Bản chính gửi qua bưu điện"]),
                registered_by=clerk,
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                IncomingDocument.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            IncomingDocument.objects.bulk_create(batch)
    _common.analyze()
    return register


def run(description: str, build: Callable[[int], Any], page: str) -> None:
    """Build a register with `build(rows)`, then download it in each format through
    the export page named `page`, signed in as vanthu.bo; print the figures. Shared
    with bench/outgoing_exports.py."""
    p = _common.parser(description, repeat=False)
    p.add_argument("--rows", type=int, default=20_000, help="documents in the register (default 20,000)")
    p.add_argument("--repeat", type=int, default=3, help="downloads of each format (default 3)")
    args = p.parse_args()
    url = _common.setup_django(args.database_url, "bench-exports.sqlite3")
    from django.urls import reverse

    from vanban.accounts.models import User
    from vanban.organisation.demo import load_demo

    if not User.objects.filter(username="vanthu.bo").exists():
        load_demo()
    t0 = time.perf_counter()
    register = build(args.rows)
    build_s = time.perf_counter() - t0
    client = _common.web_client("vanthu.bo")
    result: dict[str, Any] = {"engine": _common.engine(), "database": url.split("@")[-1], "rows": args.rows,
                              "build_s": round(build_s, 1), "rss_start_mb": _common.peak_rss_mb()}  # fmt: skip
    rows = {}
    for fmt in ("xlsx", "pdf"):
        target = f"{reverse(page)}?so={register.pk}&dinh_dang={fmt}"
        download = _common.get_ok(client, target)
        size = len(b"".join(client.get(target).streaming_content))
        queries = _common.count_queries(download)
        cpu_start = time.process_time()
        figures = _common.measure(download, args.repeat, warmup=0)
        # CPU time of this process: on a machine shared with other work, wall time
        # also counts waiting for a core.
        cpu_ms = round((time.process_time() - cpu_start) * 1000 / args.repeat, 1)
        figures.update(
            {"cpu_ms": cpu_ms, "queries": queries, "size_kb": size // 1024, "peak_rss_mb": _common.peak_rss_mb()}
        )
        rows[fmt] = figures
        result[fmt] = figures
    _common.print_table(rows, ("cpu_ms", "queries", "size_kb", "peak_rss_mb"))
    _common.emit(result)


def main() -> None:
    run("Export the incoming register of a year as xlsx and PDF", build, "web:incoming_register_export")


if __name__ == "__main__":
    main()
