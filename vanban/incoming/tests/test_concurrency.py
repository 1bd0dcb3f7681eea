from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from vanban.documents.models import Register
from vanban.documents.numbering import register_for
from vanban.documents.tests.docs_world import World
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import register_incoming
from vanban.incoming.tests.conftest import sample_data

WRITERS = 3
EACH = 10


@pytest.mark.django_db(transaction=True)
def test_arrival_numbers_are_gapless_and_unique_under_concurrent_clerks(world: World, isolated_storage: Any) -> None:
    register = register_for(world.organ, Register.Kind.INCOMING)
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def clerk(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                register_incoming(
                    actor=world.ministry_clerk,
                    data=sample_data(code_number=str(n * 100 + i), register=register),
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(IncomingDocument.objects.filter(register=register).values_list("arrival_number", flat=True))
    assert numbers == list(range(1, WRITERS * EACH + 1))
