"""`vanban text detect FILE` and `vanban text convert [--from ...] FILE|-`.

FILE is read as raw bytes (see vanban.documents.text.read_bytes); "-" reads standard
input. The converted text goes to standard output unchanged otherwise (no newline is
added), so the command works in a pipe: `vanban text convert cu.txt > moi.txt`.
"""

from __future__ import annotations

import codecs
import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.documents import text

EXIT_UNREADABLE = 1


class Command(BaseCommand):
    help = (
        "Chữ tiếng Việt: nhận dạng bảng mã (unicode, tcvn3, vni, viqr) và chuyển văn bản "
        "mã cũ sang Unicode dựng sẵn (NFC)."
    )
    # Pure text work: no database, no system checks, usable on any machine.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        detect = sub.add_parser("detect", help="In ra bảng mã của tệp: unicode, tcvn3, vni hoặc viqr")
        detect.add_argument("file", help="Đường dẫn tệp, hoặc - để đọc từ đầu vào chuẩn")
        convert = sub.add_parser("convert", help="In ra nội dung tệp dưới dạng Unicode dựng sẵn (NFC)")
        convert.add_argument(
            "--from",
            dest="source",
            choices=["auto", "tcvn3", "vni", "viqr"],
            default="auto",
            help="Bảng mã nguồn; mặc định auto: tự nhận dạng",
        )
        convert.add_argument("file", help="Đường dẫn tệp, hoặc - để đọc từ đầu vào chuẩn")

    def handle(self, *args: Any, **options: Any) -> None:
        data = self._read(options["file"])
        self._use_utf8_stdout()
        if options["action"] == "detect":
            self.stdout.write(text.detect(data))
            return
        result = text.convert(data, source=options["source"])
        self.stdout.write(result.text, ending="")

    def _read(self, name: str) -> bytes:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            return stream.read() if stream is not None else sys.stdin.read().encode()
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            self.stderr.write(_unreadable(name, exc))
            sys.exit(EXIT_UNREADABLE)

    def _use_utf8_stdout(self) -> None:
        """Vietnamese must reach a pipe intact even under a C or Latin-1 locale."""
        stdout = sys.stdout
        if getattr(self.stdout, "_out", None) is not stdout or not isinstance(stdout, io.TextIOWrapper):
            return  # a test's buffer or a stream someone else set up
        if codecs.lookup(stdout.encoding).name != "utf-8":
            stdout.reconfigure(encoding="utf-8")


def _unreadable(name: str, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"Không tìm thấy tệp «{name}»."
    if isinstance(exc, IsADirectoryError):
        return f"«{name}» là thư mục, không phải tệp."
    if isinstance(exc, PermissionError):
        return f"Không có quyền đọc tệp «{name}»."
    return f"Không đọc được tệp «{name}»: {exc.strerror or exc}."
