"""`vanban edxml validate FILE`, `vanban edxml import FILE [--any-recipient]`,
`vanban edxml export --document ID -o FILE`.

validate: exit 0 with a one-line summary on standard output (warnings on standard
error), or exit 1 with the Vietnamese reason. import: the id of the received message's
row is the last line of standard output (also when it was received before). export:
an issued outgoing document as a .edxml file.
"""

from __future__ import annotations

import codecs
import io
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from vanban.core import context
from vanban.core.errors import VanbanError
from vanban.exchange import edxml

EXIT_INVALID = 1
EXIT_UNREADABLE = 1  # the contract: 0 or 1 with the reason


class Command(BaseCommand):
    help = (
        "Liên thông văn bản edXML (QCVN 102:2016/BTTTT): kiểm tra, nhận (nhập) một thông điệp, "
        "xuất văn bản đi đã ban hành."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Kiểm tra một tệp edXML; in tóm tắt hoặc lý do không hợp lệ")
        validate.add_argument("file", type=Path)
        imp = sub.add_parser("import", help="Nhận một tệp edXML như thông điệp liên thông gửi đến cơ quan mình")
        imp.add_argument("file", type=Path)
        imp.add_argument("--any-recipient", action="store_true",
                         help="Nhận cả thông điệp gửi cho cơ quan khác (dùng để thử, nhập dữ liệu cũ)")  # fmt: skip
        export = sub.add_parser("export", help="Xuất một văn bản đi đã ban hành ra tệp edXML")
        export.add_argument("--document", type=int, required=True, help="Mã (id) văn bản đi")
        export.add_argument("-o", "--output", type=Path, required=True, help="Tệp .edxml sẽ ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        self._use_utf8_stdout()
        with context.use(context.RequestContext(channel="cli")):
            getattr(self, f"_{options['action']}")(options)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            self._fail(f"Không tìm thấy tệp «{path}».", EXIT_UNREADABLE)
        except IsADirectoryError:
            self._fail(f"«{path}» là thư mục, không phải tệp.", EXIT_UNREADABLE)
        except OSError as exc:
            self._fail(f"Không đọc được tệp «{path}»: {exc.strerror}.", EXIT_UNREADABLE)

    def _fail(self, message: str, code: int = EXIT_INVALID) -> NoReturn:
        self.stderr.write(message)
        sys.exit(code)

    def _validate(self, options: dict[str, Any]) -> None:
        data = self._read(options["file"])
        try:
            message = edxml.parse(data)
        except edxml.EdxmlError as exc:
            self._fail(f"Không hợp lệ [{exc.code}]: {exc.message}")
        for warning in message.warnings:
            self.stderr.write(f"Cảnh báo: {warning}")
        self.stdout.write(f"Hợp lệ: {edxml.describe(message)}")

    def _import(self, options: dict[str, Any]) -> None:
        from vanban.exchange.services import receive_message

        data = self._read(options["file"])
        try:
            received = receive_message(actor=None, data=data, channel="cli", any_recipient=options["any_recipient"])
        except VanbanError as exc:
            self._fail(f"Không nhận [{exc.code}]: {exc.message}")
        for warning in received.message.warnings:
            self.stderr.write(f"Cảnh báo: {warning}")
        row = received.row
        if received.created:
            self.stdout.write(f"Đã nhận: {edxml.describe(received.message)}")
        else:
            self.stdout.write(f"Đã nhận trước đó (không lưu lại lần nữa): {row}")
        self.stdout.write(str(row.pk))

    def _export(self, options: dict[str, Any]) -> None:
        from vanban.outgoing.models import OutgoingDocument

        doc = (
            OutgoingDocument.objects.select_related("organ", "document_type", "signer", "issued_by", "relates_to")
            .filter(pk=options["document"])
            .first()
        )
        if doc is None:
            self._fail(f"Không có văn bản đi mã {options['document']}.")
        try:
            data = edxml.build_from_outgoing(doc)
        except VanbanError as exc:
            self._fail(f"Không xuất được [{exc.code}]: {exc.message}")
        output: Path = options["output"]
        try:
            output.write_bytes(data)
        except OSError as exc:
            self._fail(f"Không ghi được tệp «{output}»: {exc.strerror}.", EXIT_UNREADABLE)
        self.stdout.write(f"Đã xuất văn bản {doc.number_symbol} ra «{output}» ({len(data)} byte).")

    def _use_utf8_stdout(self) -> None:
        """Vietnamese must reach a pipe intact even under a C or Latin-1 locale."""
        for stream in (sys.stdout, sys.stderr):
            wrapper = self.stdout if stream is sys.stdout else self.stderr
            if getattr(wrapper, "_out", None) is not stream or not isinstance(stream, io.TextIOWrapper):
                continue  # a test's buffer or a stream someone else set up
            if codecs.lookup(stream.encoding).name != "utf-8":
                stream.reconfigure(encoding="utf-8")
