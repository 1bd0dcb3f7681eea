"""Fixtures of the workflow tests: the documents-core world (a ministry with Cục Xuất
nhập khẩu ─ Phòng Quản lý xuất khẩu and Vụ Pháp chế), a ministry leader, a second
ministry leader, a leader of Vụ Pháp chế, and a registered document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from vanban.documents.tests.docs_world import World, isolated_storage, world  # noqa: F401
from vanban.incoming.models import IncomingDocument
from vanban.incoming.tests.conftest import ministry_leader, register_doc  # noqa: F401
from vanban.organisation.roles import Role
from vanban.workflow import services
from vanban.workflow.models import Assignment, Presentation
from vanban.workflow.services import AssigneeSpec


@dataclass
class Flow:
    world: World
    doc: IncomingDocument
    leader: Any  # ministry leader (Lãnh đạo Bộ)
    leader2: Any
    pc_leader: Any  # Vụ trưởng Vụ Pháp chế
    team_leader: Any  # Trưởng phòng Quản lý xuất khẩu
    outsider: Any  # a specialist of Vụ Pháp chế with nothing to do with the document

    def present(self, leader: Any = None, proposal: str = "Đề nghị giao Cục XNK chủ trì") -> Presentation:
        return services.present(actor=self.world.ministry_clerk, document=self.doc, leader=leader or self.leader,
                                proposal=proposal)

    def direct(self, presentation: Presentation | None = None, *, days: int = 10,
               extra: list[AssigneeSpec] | None = None) -> list[Assignment]:
        pres = presentation or self.present()
        specs = [AssigneeSpec("lead", unit=self.world.dept, deadline=in_days(days)), *(extra or [])]
        direction = services.direct(actor=self.leader, presentation=pres, text="Giao Cục XNK chủ trì, báo cáo Bộ.",
                                    assignees=specs)
        return list(direction.assignments.order_by("pk"))


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def flow(world: World, ministry_leader: Any, make_user: Callable[..., Any],  # noqa: F811
         register_doc: Callable[..., IncomingDocument]) -> Flow:  # noqa: F811
    doc = register_doc(world.ministry_clerk)
    return Flow(
        world=world,
        doc=doc,
        leader=ministry_leader,
        leader2=make_user("tt.bo", roles=[Role.MINISTRY_LEADER], unit=world.other, full_name="Thứ trưởng Hai"),
        pc_leader=make_user("vt.pc", roles=[Role.UNIT_LEADER], unit=world.other, full_name="Vụ trưởng Pháp chế"),
        team_leader=make_user("tp.qlxk", roles=[Role.UNIT_LEADER], unit=world.team, full_name="Trưởng phòng QLXK"),
        outsider=make_user("cv.pc", roles=[Role.SPECIALIST], unit=world.other, full_name="Chuyên viên Pháp chế"),
    )
