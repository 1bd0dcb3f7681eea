"""Fixtures of the records tests: the documents-core world, a ministry leader, and a
shelf that builds published plans, files and incoming documents through the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from vanban.documents.tests.docs_world import World, isolated_storage, pdf_bytes, world  # noqa: F401
from vanban.incoming.models import IncomingDocument
from vanban.incoming.tests.conftest import ministry_leader, register_doc  # noqa: F401
from vanban.records import services
from vanban.records.models import Dossier, DossierPlan, PlanEntry


@dataclass
class Shelf:
    world: World
    leader: Any  # Lãnh đạo Bộ
    register_doc: Callable[..., IncomingDocument]

    def plan(self, year: int = 2026, *, publish: bool = True, entries: int = 2) -> DossierPlan:
        w = self.world
        plan = services.create_plan(actor=w.ministry_clerk, year=year)
        heading = services.add_heading(actor=w.ministry_clerk, plan=plan, code="I", title="Xuất nhập khẩu",
                                       abbreviation="XNK")  # fmt: skip
        for n in range(1, entries + 1):
            services.add_entry(actor=w.ministry_clerk, plan=plan, heading=heading, notation=f"{n:02d}.XNK",
                               title=f"Hồ sơ điều hành xuất khẩu gạo số {n}", retention="10 năm" if n % 2 else "Vĩnh viễn",
                               unit=w.dept, responsible=w.specialist if n == 1 else None)  # fmt: skip
        if publish:
            services.approve_plan(actor=self.leader, plan=plan)
            services.publish_plan(actor=w.ministry_clerk, plan=plan)
        plan.refresh_from_db()
        return plan

    def entry(self, plan: DossierPlan, notation: str = "01.XNK") -> PlanEntry:
        return plan.entries.get(notation=notation)

    def incoming(self, marker: str = "a", pages: int = 2, **kw: Any) -> IncomingDocument:
        return self.register_doc(self.world.unit_clerk, register=None, files=[(f"cv-{marker}.pdf", pdf_bytes(pages, marker))],
                                 code_number=str(100 + len(marker) + pages), confirm_duplicate=True, **kw)  # fmt: skip

    def dossier_with_docs(self, plan: DossierPlan | None = None, notation: str = "01.XNK", docs: int = 2) -> Dossier:
        plan = plan or self.plan()
        dossier = services.open_dossier(actor=self.world.unit_clerk, entry=self.entry(plan, notation))
        for n in range(docs):
            services.file_document(actor=self.world.unit_clerk, dossier=dossier,
                                   incoming=self.incoming(marker=f"{notation}-{n}", pages=n + 1))  # fmt: skip
        return dossier


@pytest.fixture
def shelf(world: World, ministry_leader: Any, register_doc: Callable[..., IncomingDocument]) -> Shelf:  # noqa: F811
    return Shelf(world=world, leader=ministry_leader, register_doc=register_doc)
