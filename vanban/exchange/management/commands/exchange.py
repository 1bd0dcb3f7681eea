"""`vanban exchange deliver` (the outbox and the watched folders, once: what the worker
does every few seconds), `vanban exchange partners` (the directory), and `vanban
exchange seed-peer` (a minimal organ with a clerk, a leader and a specialist and their
API tokens, for a second instance in loopback tests and demos; prints JSON)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.core import context


class Command(BaseCommand):
    help = "Liên thông văn bản: gửi các thông điệp đến hạn, quét thư mục trao đổi, danh bạ liên thông."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("deliver", help="Gửi một lượt các thông điệp đến hạn và quét thư mục trao đổi, rồi thoát")
        sub.add_parser("partners", help="Liệt kê danh bạ cơ quan liên thông")
        seed = sub.add_parser("seed-peer", help="Tạo cơ quan, người dùng và đối tác cho phiên bản thử liên thông")
        seed.add_argument("--organ-id", required=True)
        seed.add_argument("--organ-name", required=True)
        seed.add_argument("--partner-id", required=True, help="Mã định danh cơ quan đối tác")
        seed.add_argument("--partner-name", required=True)
        seed.add_argument("--partner-endpoint", default="")
        seed.add_argument("--inbound-token", required=True, help="Mã đối tác dùng khi gửi đến đây")
        seed.add_argument("--outbound-token", default="", help="Mã dùng khi gửi đến đối tác")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.RequestContext(channel="cli")):
            getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _deliver(self, options: dict[str, Any]) -> None:
        from vanban.exchange.periodic import run_once

        self.stdout.write(json.dumps(run_once(min_age=0.0), ensure_ascii=False))

    def _partners(self, options: dict[str, Any]) -> None:
        from vanban.exchange.models import Partner

        for p in Partner.objects.order_by("organ_id"):
            state = "hoạt động" if p.is_active else "ngừng"
            self.stdout.write(f"{p.organ_id}\t{p.transport}\t{state}\t{p.name}\t{p.endpoint}")

    def _seed_peer(self, options: dict[str, Any]) -> None:
        from vanban.accounts.services import create_account, create_api_token
        from vanban.exchange import partners
        from vanban.organisation import services as organisation
        from vanban.organisation.models import Organ
        from vanban.organisation.roles import Role

        organ = Organ.objects.filter(organ_id=options["organ_id"]).first() or organisation.create_organ(
            actor=None, organ_id=options["organ_id"], name=options["organ_name"], short_name="DOITAC", is_own=True)
        office = organisation.create_unit(actor=None, organ=organ, name="Văn phòng", short_name="VP")
        position = organisation.create_position(actor=None, code="cv-doi-tac", name="Chuyên viên")
        tokens: dict[str, Any] = {"organ": organ.pk, "unit": office.pk}
        for key, role in (("admin", Role.SYSTEM_ADMIN), ("clerk", Role.MINISTRY_CLERK),
                          ("leader", Role.MINISTRY_LEADER), ("specialist", Role.SPECIALIST)):  # fmt: skip
            user, _ = create_account(actor=None, username=f"peer.{key}", full_name=f"Người dùng {key}",
                                     email="", password="Matkhau@2026", must_change_password=False)  # fmt: skip
            organisation.appoint(actor=None, user=user, unit=office, position=position)
            organisation.grant_role(actor=None, user=user, role=role,
                                    unit=office if role == Role.SPECIALIST else None)  # fmt: skip
            _, secret = create_api_token(actor=user, user=user, name="loopback", scopes=["read", "write", "admin"])
            tokens[key] = {"id": user.pk, "token": secret}
        partners.create_partner(actor=None, data=partners.PartnerData(
            organ_id=options["partner_id"], name=options["partner_name"], endpoint=options["partner_endpoint"],
            inbound_token=options["inbound_token"], outbound_token=options["outbound_token"] or None))  # fmt: skip
        self.stdout.write(json.dumps(tokens))
