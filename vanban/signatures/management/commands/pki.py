from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.core import context
from vanban.core.errors import VanbanError
from vanban.core.timeutil import format_date
from vanban.signatures import selectors, services
from vanban.signatures.models import SigningCredential


class Command(BaseCommand):
    help = (
        "CA nội bộ và chứng thư số: `vanban pki init` khởi tạo CA và chữ ký số cơ quan; "
        "`vanban pki issue USER` cấp chứng thư cá nhân; `vanban pki revoke USER|SERIAL` thu hồi; "
        "`vanban pki list` liệt kê; `vanban pki crl` xuất danh sách thu hồi; `vanban pki root` in chứng thư gốc; "
        "`vanban pki token` đăng ký khóa trên thiết bị PKCS#11."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser(
            "init", help="Tạo CA nội bộ, chứng thư số và ảnh con dấu của cơ quan (chạy lại không đổi gì)"
        )
        init.add_argument(
            "--seal-password",
            help="Đặt mật khẩu cho khóa của cơ quan (hỏi mỗi lần đóng dấu); mặc định mã hóa bằng khóa của máy chủ",
        )
        issue = sub.add_parser("issue", help="Cấp chứng thư số cá nhân từ CA nội bộ")
        issue.add_argument("user", help="Tên đăng nhập")
        issue.add_argument("--password", help="Mật khẩu ký số (nếu không nhập sẽ được hỏi)")
        issue.add_argument("--days", type=int, default=730, help="Thời hạn (ngày), mặc định 730")
        revoke = sub.add_parser("revoke", help="Thu hồi chứng thư số (theo tên đăng nhập hoặc số hiệu)")
        revoke.add_argument("reference", help="Tên đăng nhập (thu hồi mọi chứng thư còn hiệu lực) hoặc số hiệu (hex)")
        revoke.add_argument("--reason", default="", help="Lý do thu hồi")
        sub.add_parser("list", help="Liệt kê chứng thư số")
        crl = sub.add_parser("crl", help="Ghi danh sách chứng thư bị thu hồi (CRL, DER) của CA nội bộ")
        crl.add_argument("--out", type=Path, required=True)
        root = sub.add_parser("root", help="In chứng thư gốc của CA nội bộ (PEM)")
        root.add_argument("--out", type=Path)
        token = sub.add_parser("token", help="Đăng ký khóa trên thiết bị ký số PKCS#11 (token, HSM)")
        who = token.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="Tên đăng nhập của người dùng khóa")
        who.add_argument("--organ", action="store_true", help="Khóa của cơ quan (đóng dấu)")
        token.add_argument("--token-label", required=True)
        token.add_argument("--key-label", required=True)
        token.add_argument("--pin", help="Mã PIN (nếu không nhập sẽ được hỏi)")
        token.add_argument("--cert", type=Path, help="Tệp chứng thư (PEM) nếu thiết bị không lưu chứng thư")
        token.add_argument("--chain", type=Path, help="Tệp chứng thư trung gian và gốc (PEM)")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            try:
                getattr(self, f"_{options['action']}")(options)
            except VanbanError as exc:
                self.stderr.write(f"{exc.code}: {exc.message}")
                sys.exit(1)

    def _secret(self, given: str | None, prompt: str) -> str:
        if given:
            return given
        if not sys.stdin.isatty():
            self.stderr.write("Hãy cho mật khẩu bằng tùy chọn (không có bàn phím để hỏi).")
            sys.exit(2)
        return getpass.getpass(prompt)

    def _user(self, username: str) -> Any:
        from vanban.accounts.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            self.stderr.write(f"Không có tài khoản «{username}».")
            sys.exit(2)
        return user

    def _init(self, options: dict[str, Any]) -> None:
        result = services.init_pki(actor=None, seal_password=options.get("seal_password") or None)
        if not result.created:
            self.stdout.write("CA nội bộ và chữ ký số cơ quan đã có sẵn, không thay đổi.")
        else:
            self.stdout.write("Đã khởi tạo CA nội bộ và chữ ký số cơ quan.")
        self.stdout.write(f"CA: {result.authority.subject} (số hiệu {result.authority.serial_hex})")
        seal = result.seal_credential
        self.stdout.write(f"Chữ ký số cơ quan: {seal.subject_cn}, hiệu lực đến {format_date(seal.not_after)}")

    def _issue(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        password = self._secret(options.get("password"), "Mật khẩu ký số: ")
        credential = services.issue_certificate(actor=None, user=user, password=password, days=options["days"])
        self.stdout.write(
            f"Đã cấp chứng thư số cho {credential.subject_cn}: số hiệu {credential.serial_hex}, "
            f"hiệu lực đến {format_date(credential.not_after)}."
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        matches = [c for c in selectors.find_credential(options["reference"]) if c.revoked_at is None]
        if not matches:
            self.stderr.write("Không có chứng thư số còn hiệu lực khớp với tên đăng nhập hoặc số hiệu đã cho.")
            sys.exit(2)
        for credential in matches:
            services.revoke_credential(actor=None, credential=credential, reason=options["reason"])
            self.stdout.write(f"Đã thu hồi chứng thư số {credential.serial_hex} ({credential.subject_cn}).")

    def _list(self, options: dict[str, Any]) -> None:
        rows = SigningCredential.objects.select_related("owner", "organ").order_by("kind", "owner__username", "-pk")
        self.stdout.write(
            f"{'Số hiệu':<34} {'Loại':<9} {'Người/cơ quan':<16} {'Nguồn':<12} {'Đến ngày':<17} Trạng thái"
        )
        for c in rows:
            holder = c.owner.username if c.owner_id else (c.organ.short_name if c.organ_id else "")
            self.stdout.write(
                f"{c.serial_hex[:32]:<34} {c.kind:<9} {holder:<16} {c.source:<12} "
                f"{format_date(c.not_after):<17} {c.status_label}"
            )

    def _crl(self, options: dict[str, Any]) -> None:
        authority = selectors.active_authority()
        if authority is None or not authority.crl_der:
            self.stderr.write("Chưa khởi tạo CA nội bộ: chạy «vanban pki init».")
            sys.exit(2)
        options["out"].write_bytes(bytes(authority.crl_der))
        self.stdout.write(f"Đã ghi CRL số {authority.crl_number} vào {options['out']}.")

    def _root(self, options: dict[str, Any]) -> None:
        authority = selectors.active_authority()
        if authority is None:
            self.stderr.write("Chưa khởi tạo CA nội bộ: chạy «vanban pki init».")
            sys.exit(2)
        if options.get("out"):
            options["out"].write_text(authority.certificate_pem, encoding="ascii")
        else:
            self.stdout.write(authority.certificate_pem.rstrip())

    def _token(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"]) if options.get("user") else None
        pin = self._secret(options.get("pin"), "Mã PIN của thiết bị: ")
        credential = services.register_pkcs11(
            actor=None,
            user=user,
            token_label=options["token_label"],
            key_label=options["key_label"],
            pin=pin,
            certificate_pem=options["cert"].read_text(encoding="ascii") if options.get("cert") else "",
            chain_pem=options["chain"].read_text(encoding="ascii") if options.get("chain") else "",
        )
        self.stdout.write(f"Đã đăng ký khóa «{credential.pkcs11_key_label}» của {credential.subject_cn}.")
