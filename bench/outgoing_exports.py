"""Benchmark: printing and exporting a whole register year of outgoing documents.

Builds an outgoing register of N issued documents (default 20,000) with one or two
recipients each (internal units, an external organ), one in fifty recalled, and
downloads it through the web page as Excel and as the print-ready PDF, signed in as the
ministry clerk `vanthu.bo` (who may read every issued document). Same measurements as
bench/incoming_exports.py: wall and CPU time per format, file size, SQL query count,
peak RSS.

    .venv/bin/python bench/outgoing_exports.py \\
        --database-url postgres://postgres@127.0.0.1:5432/vanban_bench
    VANBAN_VAR_DIR=/tmp/vb .venv/bin/python bench/outgoing_exports.py      # SQLite
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import _common
from incoming_exports import bench_register, run

REGISTER_NAME = "Sổ đăng ký văn bản đi (đo tải)"
SUBJECTS = [
    "V/v báo cáo tình hình xuất khẩu gạo quý III",
    "Về việc giao chỉ tiêu kế hoạch xuất khẩu năm nay cho các đơn vị thuộc Bộ",
    "V/v hướng dẫn thực hiện Nghị định về thương mại điện tử đối với các sàn giao dịch xuyên biên giới",
    "V/v tình hình cung ứng điện mùa khô",
    "V/v phối hợp kiểm tra thị trường dịp Tết Nguyên đán",
]


def build(rows: int) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from vanban.accounts.models import User
    from vanban.documents.models import DocumentType
    from vanban.organisation.models import Organ, Unit
    from vanban.outgoing.models import OutgoingDocument, Recipient

    register = bench_register("outgoing", REGISTER_NAME)
    organ, year = register.organ, register.year
    have = OutgoingDocument.objects.filter(register=register).count()
    if have >= rows:
        return register
    clerk = User.objects.get(username="vanthu.bo")
    signers = list(User.objects.filter(username__in=["tt.nguyen", "tt.pham", "tt.do"]))
    types = list(DocumentType.objects.filter(code__in=["cong-van", "quyet-dinh-ca-biet", "thong-bao", "ke-hoach"]))
    units = list(Unit.objects.filter(organ=organ, parent__isnull=True).order_by("pk"))
    external, _ = Organ.objects.get_or_create(name="Bộ Tài chính", defaults={"short_name": "BTC"})
    rng = random.Random(7)
    start = timezone.make_aware(dt.datetime(year, 1, 2, 8, 0))
    step = dt.timedelta(days=360) / rows
    for first in range(have + 1, rows + 1, 5000):
        batch = []
        for n in range(first, min(first + 5000, rows + 1)):
            issued_at = start + step * n
            kind = rng.choice(types)
            unit = rng.choice(units)
            recalled = n % 50 == 0
            batch.append(OutgoingDocument(
                organ=organ, drafting_unit=unit, document_type=kind, subject=rng.choice(SUBJECTS),
                signer=rng.choice(signers), signer_position="Thứ trưởng", signing_authority="KT",
                to_places="Như trên; Lưu: VT.", urgency=rng.choice(["normal"] * 8 + ["khan", "thuong_khan"]),
                status="recalled" if recalled else "issued", created_by=clerk, register=register, number=n,
                code_notation=f"{kind.abbreviation}-BCT" if kind.abbreviation else f"BCT-{unit.short_name}",
                issued_date=timezone.localtime(issued_at).date(), issued_at=issued_at, issued_by=clerk,
                recall_reason="Sai sót về số liệu, sẽ ban hành văn bản thay thế" if recalled else "",
            ))  # fmt: skip
        with transaction.atomic():
            docs = OutgoingDocument.objects.bulk_create(batch)
            recipients = []
            for doc in docs:
                recipients.append(Recipient(document=doc, unit=rng.choice(units), delivery="delivered",
                                            delivered_at=doc.issued_at))  # fmt: skip
                if rng.random() < 0.5:
                    recipients.append(Recipient(document=doc, organ=external, delivery="queued"))
            Recipient.objects.bulk_create(recipients)
    _common.analyze()
    return register


if __name__ == "__main__":
    run("Export the outgoing register of a year as xlsx and PDF", build, "web:outgoing_register_export")
