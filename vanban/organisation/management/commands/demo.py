from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from vanban.core import context
from vanban.organisation.demo import DEMO_PASSWORD, load_demo
from vanban.organisation.roles import Role

_ROLE_LABELS = dict(Role.choices)


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: Bộ Công Thương với các đơn vị, chức vụ và tài khoản (chạy lại không thay đổi gì)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="In danh sách tài khoản mẫu dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            accounts, created = load_demo()
            # Signing material for the demo leaders (vanban/signatures/demo.py): kept out of
            # load_demo, which tests call often, because issuing keys takes seconds.
            from vanban.signatures.demo import load_demo_signatures

            created += load_demo_signatures(people=[(a.username, a.roles) for a in accounts], password=DEMO_PASSWORD)
        if options["json"]:
            self.stdout.write(json.dumps([a.as_dict() for a in accounts], ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Dữ liệu mẫu: {'đã tạo ' + str(created) + ' đối tượng' if created else 'đã có sẵn, không thay đổi'}.")
        self.stdout.write("Lãnh đạo có sẵn chứng thư số (CA nội bộ); mật khẩu ký số là mật khẩu đăng nhập mẫu.")
        self.stdout.write("")
        self.stdout.write(f"{'Tên đăng nhập':<14} {'Mật khẩu':<12} {'Vai trò':<38} Đơn vị")
        for a in accounts:
            roles = ", ".join(_ROLE_LABELS.get(r, r) for r in a.roles)
            self.stdout.write(f"{a.username:<14} {a.password:<12} {roles:<38} {a.unit}")
