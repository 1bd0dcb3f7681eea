"""Benchmark: a transfer package of 20 closed files × 10 incoming documents (2-page PDFs,
~40 KB each): build the package, verify it, import it into the archive, and read the
retention report.

Builds its own data through the services in a database of its own (a new year each run,
so runs accumulate but never collide), with files in a fresh storage folder.

    .venv/bin/python bench/records.py [--files 20] [--docs 10] [--database-url postgres://…]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
import time
from pathlib import Path

import _common


def main() -> None:
    p = _common.parser(__doc__.split("\n")[0], repeat=False)
    p.add_argument("--files", type=int, default=20)
    p.add_argument("--docs", type=int, default=10)
    args = p.parse_args()
    media = tempfile.mkdtemp(prefix="bench-records-")
    import os

    os.environ["VANBAN_MEDIA_ROOT"] = media
    _common.setup_django(args.database_url, "bench-records.sqlite3")

    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}}}  # fmt: skip
    from pypdf import PdfWriter

    from vanban.accounts.models import User
    from vanban.documents.models import DocumentType
    from vanban.incoming.services import IncomingData, register_incoming
    from vanban.organisation.demo import load_demo
    from vanban.organisation.models import Unit
    from vanban.records import package, selectors, services
    from vanban.records.models import DossierPlan

    load_demo()
    clerk, leader = User.objects.get(username="vanthu.bo"), User.objects.get(username="bt.hoang")
    unit_leader = User.objects.get(username="ct.xnk")
    xnk = Unit.objects.get(short_name="XNK")
    year = 2100 - DossierPlan.objects.count()
    plan = services.create_plan(actor=clerk, year=year)
    heading = services.add_heading(actor=clerk, plan=plan, code="I", title="Xuất nhập khẩu")
    for n in range(1, args.files + 1):
        services.add_entry(actor=clerk, plan=plan, heading=heading, notation=f"{n:02d}.XNK", title=f"Hồ sơ {n}",
                           retention="10 năm", unit=xnk)  # fmt: skip
    services.approve_plan(actor=leader, plan=plan)
    services.publish_plan(actor=clerk, plan=plan)
    congvan = DocumentType.objects.get(code="cong-van")

    def pdf(seed: int) -> bytes:
        w = PdfWriter()
        for _ in range(2):
            w.add_blank_page(595, 842)
        w.add_metadata({"/Title": f"bench {year} {seed}", "/Subject": hashlib.sha256(str(seed).encode()).hexdigest() * 600})
        out = io.BytesIO()
        w.write(out)
        return out.getvalue()

    started = time.perf_counter()
    dossiers = []
    for n, entry in enumerate(plan.entries.all()):
        dossier = services.open_dossier(actor=clerk, entry=entry)
        for k in range(args.docs):
            doc = register_incoming(actor=clerk, data=IncomingData(
                document_type=congvan, issuing_organ_name="UBND tỉnh Đồng Tháp", code_number=str(n * 100 + k),
                code_notation="UBND-KT", issued_date=dt.date(2026, 11, 1),
                subject=f"V/v số {n}-{k}"), files=[(f"cv-{n}-{k}.pdf", pdf(year * 10000 + n * 100 + k))],
                confirm_duplicate=True)  # fmt: skip
            services.file_document(actor=clerk, dossier=dossier, incoming=doc)
        dossiers.append(services.close_dossier(actor=clerk, dossier=dossier))
    build_data_s = time.perf_counter() - started
    transfer = services.create_transfer(actor=clerk, title="Bench", dossiers=dossiers)
    transfer = services.approve_transfer(actor=leader if transfer.unit is None else unit_leader, transfer=transfer)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "goi.zip"
        t0 = time.perf_counter()
        with open(path, "wb") as out:
            info = package.build_package(transfer, out)
        export_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        package.verify_package(path)
        verify_ms = (time.perf_counter() - t0) * 1000
        size = path.stat().st_size
        # Import as another organ would: the same instance holds the archive copy apart.
        t0 = time.perf_counter()
        imported = package.import_package(actor=clerk, path=path)
        import_ms = (time.perf_counter() - t0) * 1000
    report_ms = _common.measure(lambda: len(selectors.retention_report(clerk)), repeat=5)
    _common.emit({
        "benchmark": "records", "db": _common.engine(), "files": args.files, "documents": args.files * args.docs,
        "package_entries": info["entries"], "package_bytes": size, "build_data_s": round(build_data_s, 1),
        "export_ms": round(export_ms, 1), "verify_ms": round(verify_ms, 1), "import_ms": round(import_ms, 1),
        "imported": len(imported), "retention_report": report_ms,
    })  # fmt: skip


if __name__ == "__main__":
    main()
