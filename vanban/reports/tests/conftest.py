"""A small ministry with hand-counted figures, built through the real services on a
controlled clock (freezegun), so deadlines can pass.

Units: Cục Xuất nhập khẩu (dept) ─ Phòng Quản lý xuất khẩu (team); Vụ Pháp chế (other).

Registered by the ministry clerk on Monday 02/03/2026 09:00 (Vietnam time), directed by the
ministry leader the same day:

  A  công văn, UBND tỉnh Nghệ An   lead dept (hạn 10/03) + phối hợp other; the dept leader
                                    re-assigns to team (hạn 09/03), the team leader to the
                                    specialist (hạn 09/03); all three complete on 05/03 09:00
                                    → on time, 3 days
  B  công văn, UBND tỉnh Nghệ An   lead dept (hạn 10/03), never completed → overdue
  C  quyết định, Bộ Tài chính      lead other (hạn 06/03), completed 12/03 09:00 → late, 10 days
  D  tờ trình, Bộ Tài chính        presented to the ministry leader, waiting
  E  công văn, Bộ Tài chính        registered only

Registered by the dept clerk in the dept's register the same day:

  F  công văn, Tổng cục Hải quan    presented to the dept leader, lead team (hạn 20/03) → in
                                    progress within the deadline

Registered by the ministry clerk on 20/02/2026 (outside March):

  G  công văn, UBND tỉnh Nghệ An   registered only

The figures are read on Monday 16/03/2026 10:00 for March 2026.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from freezegun import freeze_time

from vanban.documents.models import DocumentType
from vanban.documents.tests.docs_world import World, isolated_storage, world  # noqa: F401
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import IncomingData, register_incoming
from vanban.organisation.roles import Role
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment
from vanban.workflow.services import AssigneeSpec

# 09:00 in Vietnam = 02:00 UTC; freezegun's clock is UTC.
T0 = "2026-03-02 02:00:00"
DONE_A = "2026-03-05 02:00:00"
DONE_C = "2026-03-12 02:00:00"
NOW = "2026-03-16 03:00:00"
MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}


@dataclass
class Stats:
    world: World
    leader: Any  # Lãnh đạo Bộ
    pc_leader: Any  # Vụ trưởng Pháp chế
    team_leader: Any
    docs: dict[str, IncomingDocument]
    leads: dict[str, Assignment]


def _data(type_code: str, organ: str, number: str, **kw: Any) -> IncomingData:
    return IncomingData(
        document_type=DocumentType.objects.get(code=type_code),
        issuing_organ_name=organ,
        code_number=number,
        code_notation="KT",
        issued_date=kw.pop("issued_date", dt.date(2026, 2, 27)),
        subject=f"V/v số {number}",
        signer_name="Nguyễn Văn A",
        signer_position="Phó Chủ tịch",
        **kw,
    )


def build_stats(world: World, make_user: Callable[..., Any]) -> Stats:  # noqa: F811
    w = world
    leader = make_user("ld.bo", roles=[Role.MINISTRY_LEADER], unit=w.other, full_name="Thứ trưởng Một")
    pc_leader = make_user("vt.pc", roles=[Role.UNIT_LEADER], unit=w.other, full_name="Vụ trưởng Pháp chế")
    team_leader = make_user("tp.qlxk", roles=[Role.UNIT_LEADER], unit=w.team, full_name="Trưởng phòng QLXK")
    docs: dict[str, IncomingDocument] = {}
    leads: dict[str, Assignment] = {}
    deadline = dt.date(2026, 3, 10)

    def reg(actor: Any, name: str, data: IncomingData) -> IncomingDocument:
        docs[name] = register_incoming(actor=actor, data=data, files=[], confirm_duplicate=True)
        return docs[name]

    def direct(doc: IncomingDocument, leader_: Any, specs: list[AssigneeSpec]) -> list[Assignment]:
        pres = workflow.present(actor=doc.registered_by, document=doc, leader=leader_)
        direction = workflow.direct(actor=leader_, presentation=pres, text="Giao xử lý", assignees=specs)
        return list(direction.assignments.order_by("pk"))

    with freeze_time("2026-02-20 02:00:00"):
        reg(w.ministry_clerk, "G", _data("cong-van", "UBND tỉnh Nghệ An", "7", issued_date=dt.date(2026, 2, 18)))
    with freeze_time(T0):
        a = reg(w.ministry_clerk, "A", _data("cong-van", "UBND tỉnh Nghệ An", "1"))
        b = reg(w.ministry_clerk, "B", _data("cong-van", "UBND tỉnh Nghệ An", "2"))
        c = reg(w.ministry_clerk, "C", _data("quyet-dinh-ca-biet", "Bộ Tài chính", "3"))
        d = reg(w.ministry_clerk, "D", _data("to-trinh", "Bộ Tài chính", "4"))
        reg(w.ministry_clerk, "E", _data("cong-van", "Bộ Tài chính", "5"))
        f = reg(w.unit_clerk, "F", _data("cong-van", "Tổng cục Hải quan", "6"))
        leads["A"] = direct(
            a,
            leader,
            [
                AssigneeSpec("lead", unit=w.dept, deadline=deadline),
                AssigneeSpec("cooperate", unit=w.other, deadline=deadline),
            ],
        )[0]
        leads["B"] = direct(b, leader, [AssigneeSpec("lead", unit=w.dept, deadline=deadline)])[0]
        leads["C"] = direct(c, leader, [AssigneeSpec("lead", unit=w.other, deadline=dt.date(2026, 3, 6))])[0]
        workflow.present(actor=w.ministry_clerk, document=d, leader=leader)
        leads["F"] = direct(f, w.leader, [AssigneeSpec("lead", unit=w.team, deadline=dt.date(2026, 3, 20))])[0]
        team_a = workflow.reassign(
            actor=w.leader,
            assignment=leads["A"],
            text="Phòng QLXK chủ trì",
            assignees=[AssigneeSpec("lead", unit=w.team, deadline=dt.date(2026, 3, 9))],
        ).assignments.get()
        person_a = workflow.reassign(
            actor=team_leader,
            assignment=team_a,
            text="Giao chuyên viên",
            assignees=[AssigneeSpec("lead", user=w.specialist, deadline=dt.date(2026, 3, 9))],
        ).assignments.get()
    with freeze_time(DONE_A):
        workflow.complete(actor=w.specialist, assignment=person_a, result="Đã dự thảo báo cáo")
        workflow.complete(actor=team_leader, assignment=team_a, result="Phòng đã xử lý")
        workflow.complete(actor=w.leader, assignment=leads["A"], result="Cục đã báo cáo Bộ")
    with freeze_time(DONE_C):
        workflow.complete(actor=pc_leader, assignment=leads["C"], result="Đã góp ý dự thảo")
    return Stats(world=w, leader=leader, pc_leader=pc_leader, team_leader=team_leader, docs=docs, leads=leads)


@pytest.fixture
def stats(world: World, make_user: Callable[..., Any], isolated_storage: Any) -> Stats:  # noqa: F811
    return build_stats(world, make_user)


@pytest.fixture
def at_now() -> Any:
    with freeze_time(NOW) as frozen:
        yield frozen
