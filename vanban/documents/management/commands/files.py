from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.core import context
from vanban.documents import storage
from vanban.documents.errors import DocumentError
from vanban.documents.files import validate_upload
from vanban.documents.models import StoredFile
from vanban.documents.services import sweep_orphan_blobs


class Command(BaseCommand):
    help = (
        "Tệp lưu trữ: `vanban files check FILE` kiểm tra một tệp như khi tải lên; "
        "`vanban files verify` băm lại mọi tệp đã lưu; `vanban files sweep` dọn tệp không còn được dùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Kiểm tra một tệp (định dạng, mã băm, số trang, chữ ký số)")
        check.add_argument("path", type=Path)
        sub.add_parser("verify", help="Băm lại mọi tệp đã lưu và báo tệp thiếu hoặc bị thay đổi")
        sweep = sub.add_parser("sweep", help="Xóa các tệp trong kho không thuộc bản ghi nào")
        sweep.add_argument("--min-age-hours", type=float, default=24, help="Chỉ xóa tệp cũ hơn số giờ này")
        sweep.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xóa")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            getattr(self, f"_{options['action']}")(options)

    def _check(self, options: dict[str, Any]) -> None:
        path: Path = options["path"]
        if not path.is_file():
            self.stderr.write(f"Không tìm thấy tệp: {path}")
            sys.exit(2)
        try:
            info = validate_upload(path.name, path)
        except DocumentError as exc:
            self.stderr.write(f"{exc.code}: {exc.message}")
            sys.exit(1)
        self.stdout.write(f"Tên tệp: {info.name}")
        self.stdout.write(f"Định dạng: {StoredFile.Kind(info.kind).label} ({info.content_type})")
        self.stdout.write(f"Kích thước: {info.size} byte")
        self.stdout.write(f"SHA-256: {info.sha256}")
        if info.page_count is not None:
            self.stdout.write(f"Số trang: {info.page_count}")
            self.stdout.write(f"Chữ ký số: {'có' if info.is_signed_pdf else 'không'}")

    def _verify(self, options: dict[str, Any]) -> None:
        checked, problems = 0, []
        for sha256 in StoredFile.objects.order_by("pk").values_list("sha256", flat=True).iterator():
            checked += 1
            if not storage.exists(sha256):
                problems.append(f"thiếu: {sha256}")
            elif storage.hash_of_blob(sha256) != sha256:
                problems.append(f"bị thay đổi: {sha256}")
        if problems:
            for line in problems:
                self.stderr.write(line)
            self.stderr.write(f"{len(problems)}/{checked} tệp có vấn đề.")
            sys.exit(1)
        self.stdout.write(f"Toàn vẹn: đã kiểm tra {checked} tệp.")

    def _sweep(self, options: dict[str, Any]) -> None:
        orphans = sweep_orphan_blobs(min_age_hours=options["min_age_hours"], dry_run=options["dry_run"])
        for sha256 in orphans:
            self.stdout.write(sha256)
        verb = "Sẽ xóa" if options["dry_run"] else "Đã xóa"
        self.stdout.write(f"{verb} {len(orphans)} tệp không thuộc bản ghi nào.")
