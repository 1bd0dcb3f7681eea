"""`vanban extract FILE [--json]`: the auto-fill proposal for a scanned or electronic
document's first page, for scripts and bulk checks. Reads the file only: nothing is
stored and nothing is logged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.extraction.engine import extract_with_meta
from vanban.extraction.layout import ReadError

LABELS = {
    "organ_parent": "Cơ quan chủ quản",
    "organ": "Cơ quan ban hành",
    "number_symbol": "Số, ký hiệu",
    "place": "Địa danh",
    "date": "Ngày tháng văn bản",
    "doc_type": "Loại văn bản",
    "summary": "Trích yếu",
    "signing_authority": "Quyền hạn ký",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Người ký",
    "urgency": "Độ khẩn",
    "secrecy": "Độ mật",
}


class Command(BaseCommand):
    help = "Đọc tự động trang đầu văn bản (PDF hoặc ảnh quét) theo thể thức Nghị định 30/2020/NĐ-CP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp PDF hoặc ảnh (PNG, JPEG, TIFF)")
        parser.add_argument("--json", action="store_true", help="In đúng một đối tượng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            fields, meta = extract_with_meta(path)
        except ReadError:
            raise CommandError(f"Không đọc được tệp {path}: cần PDF hoặc ảnh quét (PNG, JPEG, TIFF).") from None
        if options["json"]:
            self.stdout.write(json.dumps(fields, ensure_ascii=False))
            return
        source = "lớp chữ của PDF" if meta["source"] == "text" else "nhận dạng ký tự (OCR)"
        self.stdout.write(f"Đề xuất tự động cho «{path.name}» (đọc từ {source}, {meta['seconds']:.1f} giây):")
        for key, label in LABELS.items():
            value = fields[key]
            if key == "date" and value:
                y, m, d = value.split("-")
                value = f"{d}/{m}/{y}"
            self.stdout.write(f"  {label}: {value if value else '—'}")
        if fields["secrecy"]:
            self.stdout.write(
                f"Cảnh báo: văn bản có dấu «{fields['secrecy']}»: văn bản mật không được đưa vào hệ thống "
                "(Quyết định 2226/QĐ-BCT)."
            )
        self.stdout.write("Các trường là đề xuất tự động — kiểm tra lại trước khi đăng ký.")
