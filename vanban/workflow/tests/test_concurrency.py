"""Two people acting on the same thing at the same moment: exactly one succeeds, the
other is told the state changed (409), and nothing is done twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from vanban.workflow import services
from vanban.workflow.errors import WrongState
from vanban.workflow.models import Assignment, Direction, Step
from vanban.workflow.services import AssigneeSpec
from vanban.workflow.tests.conftest import Flow, in_days


def _race(*actions: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(len(actions))
    results: list[Any] = []
    failures: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            start.wait()
            results.append(action())
        except BaseException as exc:  # noqa: BLE001 - inspected by the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, failures


@pytest.mark.django_db(transaction=True)
def test_a_leader_and_their_delegate_direct_at_once_and_only_one_direction_stands(flow: Flow, make_user: Any) -> None:
    from django.utils import timezone

    from vanban.organisation import services as org

    deputy = make_user("cvp.race", roles=[], unit=flow.world.other)
    today = timezone.localdate()
    org.create_delegation(actor=flow.leader, principal=flow.leader, delegate=deputy, start_date=today, end_date=today)
    pres = flow.present()

    def direct(actor: Any, unit: Any) -> Any:
        return lambda: services.direct(actor=actor, presentation=pres, text="Giao",
                                       assignees=[AssigneeSpec("lead", unit=unit, deadline=in_days(5))])

    results, failures = _race(direct(flow.leader, flow.world.dept), direct(deputy, flow.world.other))
    assert len(results) == 1 and len(failures) == 1
    assert isinstance(failures[0], WrongState) and failures[0].code == "presentation_closed"
    assert Direction.objects.count() == 1 and Assignment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_completing_and_returning_at_once_leave_one_outcome(flow: Flow) -> None:
    (lead,) = flow.direct()
    leader = flow.world.leader
    results, failures = _race(
        lambda: services.complete(actor=leader, assignment=lead, result="Xong"),
        lambda: services.return_assignment(actor=leader, assignment=lead, reason="Không thuộc thẩm quyền"),
    )
    assert len(results) == 1 and len(failures) == 1
    assert isinstance(failures[0], WrongState)
    lead.refresh_from_db()
    assert lead.status in (Assignment.Status.COMPLETED, Assignment.Status.RETURNED)
    closing = Step.objects.filter(assignment=lead, kind__in=[Step.Kind.COMPLETED, Step.Kind.RETURNED])
    assert closing.count() == 1
