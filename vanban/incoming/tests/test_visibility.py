from __future__ import annotations

from typing import Any

import pytest

from vanban.core.errors import NotFound
from vanban.documents.tests.docs_world import World
from vanban.incoming.selectors import get_incoming_for, incoming_visible_to

pytestmark = pytest.mark.django_db


def test_ministry_register_is_seen_by_ministry_clerk_and_leader_only(
    world: World, register_doc: Any, ministry_leader: Any
) -> None:
    doc = register_doc(world.ministry_clerk)
    for reader in (world.ministry_clerk, ministry_leader):
        assert list(incoming_visible_to(reader)) == [doc]
    for outsider in (world.unit_clerk, world.other_clerk, world.specialist, world.leader, world.sysadmin):
        assert not incoming_visible_to(outsider).exists()
        with pytest.raises(NotFound):
            get_incoming_for(outsider, doc.pk)


def test_unit_register_is_seen_by_its_clerks_and_ministry_roles(
    world: World, register_doc: Any, ministry_leader: Any, make_user: Any
) -> None:
    from vanban.organisation.roles import Role

    doc = register_doc(world.unit_clerk)
    second_clerk = make_user("vanthu2.xnk", roles=[Role.UNIT_CLERK], unit=world.dept)
    for reader in (world.unit_clerk, second_clerk, world.ministry_clerk, ministry_leader):
        assert get_incoming_for(reader, doc.pk) == doc
    for outsider in (world.other_clerk, world.specialist, world.sysadmin, world.unit_admin):
        with pytest.raises(NotFound):
            get_incoming_for(outsider, doc.pk)
