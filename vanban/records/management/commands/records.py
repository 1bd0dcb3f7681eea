"""`vanban records verify PACKAGE` (exit 0 with a summary, 1 with the reason: the entry
changed, missing or extra), `vanban records import PACKAGE [--user NAME]` (into this
instance's archive; the imported files' ids are the last line), and
`vanban records export --transfer ID -o FILE` (the package of an approved list,
in the foreground; the web and the API run it as a background job), and
`vanban records remind` (notify the clerks of files due for transfer within 30 days)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from vanban.core import context
from vanban.core.errors import VanbanError


class Command(BaseCommand):
    help = "Hồ sơ, nộp lưu: kiểm tra gói nộp lưu, tiếp nhận gói vào lưu trữ, xuất gói của danh sách đã duyệt."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Kiểm tra toàn vẹn một gói nộp lưu (.zip)")
        verify.add_argument("package", type=Path)
        imp = sub.add_parser("import", help="Tiếp nhận một gói nộp lưu vào lưu trữ cơ quan")
        imp.add_argument("package", type=Path)
        imp.add_argument("--user", default="", help="Tên đăng nhập của văn thư tiếp nhận (ghi vào nhật ký)")
        sub.add_parser("remind", help="Nhắc văn thư các hồ sơ đã đóng sắp đến hạn nộp lưu (30 ngày)")
        export = sub.add_parser("export", help="Xuất gói nộp lưu của một danh sách đã duyệt")
        export.add_argument("--transfer", type=int, required=True)
        export.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            getattr(self, f"_{options['action']}")(options)

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(1)

    def _existing(self, path: Path) -> Path:
        if not path.is_file():
            self._fail(f"Không tìm thấy tệp «{path}».")
        return path

    def _verify(self, options: dict[str, Any]) -> None:
        from vanban.records.package import verify_package

        try:
            report = verify_package(self._existing(options["package"]))
        except VanbanError as exc:
            self._fail(f"Không hợp lệ [{exc.code}]: {exc.message}")
        self.stdout.write(report.summary())

    def _import(self, options: dict[str, Any]) -> None:
        from vanban.records.package import import_package

        actor = None
        if options["user"]:
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                self._fail(f"Không có tài khoản «{options['user']}».")
        try:
            dossiers = import_package(actor=actor, path=self._existing(options["package"]))
        except VanbanError as exc:
            self._fail(f"Không tiếp nhận [{exc.code}]: {exc.message}")
        self.stdout.write(f"Đã tiếp nhận {len(dossiers)} hồ sơ vào lưu trữ: " + ", ".join(d.code for d in dossiers))
        self.stdout.write(" ".join(str(d.pk) for d in dossiers))

    def _remind(self, options: dict[str, Any]) -> None:
        from vanban.records.reminders import remind_transfers_due

        self.stdout.write(f"Đã nhắc {remind_transfers_due()} hồ sơ sắp đến hạn nộp lưu.")

    def _export(self, options: dict[str, Any]) -> None:
        from vanban.records.models import Transfer
        from vanban.records.package import build_package

        transfer = Transfer.objects.filter(pk=options["transfer"]).first()
        if transfer is None or transfer.state not in (Transfer.State.APPROVED, Transfer.State.EXPORTED):
            self._fail("Không có danh sách nộp lưu đã duyệt với mã này.")
        try:
            with open(options["output"], "wb") as out:
                info = build_package(transfer, out)
        except OSError as exc:
            self._fail(f"Không ghi được tệp «{options['output']}»: {exc.strerror}.")
        except VanbanError as exc:
            self._fail(f"Không xuất được [{exc.code}]: {exc.message}")
        self.stdout.write(f"Đã xuất {info['dossiers']} hồ sơ, {info['entries']} tệp ra «{options['output']}».")
