"""Register numbers are gapless and unique, start at 1 each 1 January in Vietnam, and
are only taken inside the registering transaction (design.md rule 6)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.checks import Error
from django.db import connection, connections, transaction
from freezegun import freeze_time

from vanban.audit.models import AuditEvent
from vanban.documents import numbering
from vanban.documents.checks import sqlite_transactions_are_immediate
from vanban.documents.errors import RegisterError
from vanban.documents.models import Register, RegisterCounter
from vanban.documents.tests import docs_world

world = docs_world.world
INCOMING, OUTGOING = Register.Kind.INCOMING, Register.Kind.OUTGOING


class Rollback(Exception):
    pass


def take_in_own_transaction(register: Register) -> int:
    with transaction.atomic():
        return numbering.take_next_number(register)


# --- Registers ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_year_register_is_created_on_first_use_and_then_found(world):
    with freeze_time("2026-03-05 02:00:00"):
        register = numbering.register_for(world.organ, INCOMING, actor=world.ministry_clerk)
        again = numbering.register_for(world.organ, INCOMING)
    assert again.pk == register.pk
    assert (register.name, register.year, register.unit, register.is_default) == (
        "Sổ đăng ký văn bản đến năm 2026",
        2026,
        None,
        True,
    )
    assert register.owner == world.organ
    assert RegisterCounter.objects.get(register=register).last_number == 0
    event = AuditEvent.objects.get(action="register.created")
    assert event.actor == world.ministry_clerk and event.data["on_demand"] is True


@pytest.mark.django_db
def test_each_owner_kind_and_year_has_its_own_register(world):
    organ_in = numbering.register_for(world.organ, INCOMING, 2026)
    organ_out = numbering.register_for(world.organ, OUTGOING, 2026)
    unit_in = numbering.register_for(world.dept, INCOMING, 2026)
    other_in = numbering.register_for(world.other, INCOMING, 2026)
    next_year = numbering.register_for(world.organ, INCOMING, 2027)
    assert len({organ_in.pk, organ_out.pk, unit_in.pk, other_in.pk, next_year.pk}) == 5
    assert (unit_in.organ, unit_in.unit, unit_in.owner) == (world.organ, world.dept, world.dept)
    assert organ_out.name == "Sổ đăng ký văn bản đi năm 2026"
    with transaction.atomic():
        assert [numbering.take_next_number(r) for r in (organ_in, organ_in, organ_out, unit_in)] == [1, 2, 1, 1]


@pytest.mark.django_db
def test_an_unknown_register_kind_is_refused(world):
    with pytest.raises(RegisterError) as caught:
        numbering.register_for(world.organ, "secret")
    assert caught.value.code == "invalid_register_kind"


# --- Numbers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_start_at_one_and_follow_each_other(world):
    register = numbering.register_for(world.organ, INCOMING)
    assert [take_in_own_transaction(register) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert numbering.last_number(register) == 5


@pytest.mark.django_db
def test_peeking_shows_the_next_number_without_taking_it(world):
    register = numbering.register_for(world.organ, INCOMING)
    assert numbering.peek_next_number(register) == 1
    assert numbering.peek_next_number(register) == 1
    assert take_in_own_transaction(register) == 1
    assert numbering.peek_next_number(register) == 2
    assert take_in_own_transaction(register) == 2


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back(world):
    register = numbering.register_for(world.organ, INCOMING)
    assert take_in_own_transaction(register) == 1
    with pytest.raises(Rollback), transaction.atomic():
        assert numbering.take_next_number(register) == 2
        raise Rollback
    assert take_in_own_transaction(register) == 2
    assert numbering.peek_next_number(register) == 3


@pytest.mark.django_db
def test_a_register_without_its_counter_row_still_numbers_from_one(world):
    register = Register.objects.create(organ=world.organ, kind=INCOMING, year=2026, name="Sổ riêng", is_default=False)
    assert numbering.peek_next_number(register) == 1
    assert [take_in_own_transaction(register) for _ in range(2)] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_number_cannot_be_taken_outside_a_transaction(world):
    register = numbering.register_for(world.organ, INCOMING)
    with pytest.raises(RuntimeError, match="inside the registering transaction"):
        numbering.take_next_number(register)
    assert numbering.peek_next_number(register) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc_moment", "year"),
    [
        ("2026-12-31 16:59:59", 2026),  # 23:59:59 on 31/12 in Hà Nội
        ("2026-12-31 17:00:00", 2027),  # 00:00:00 on 01/01 in Hà Nội, still 31/12 in UTC
        ("2027-01-01 08:00:00", 2027),
    ],
)
def test_the_year_is_the_vietnamese_calendar_year(world, utc_moment, year):
    with freeze_time(utc_moment):
        assert numbering.current_year() == year
        assert numbering.register_for(world.organ, INCOMING).year == year


@pytest.mark.django_db
def test_numbers_start_again_at_one_on_the_first_of_january(world):
    with freeze_time("2026-12-31 16:30:00"):  # 23:30 in Hà Nội
        old = numbering.register_for(world.organ, INCOMING)
        assert [take_in_own_transaction(old) for _ in range(3)] == [1, 2, 3]
    with freeze_time("2026-12-31 17:30:00"):  # 00:30 on New Year's Day in Hà Nội
        new = numbering.register_for(world.organ, INCOMING)
        assert new.pk != old.pk and new.name == "Sổ đăng ký văn bản đến năm 2027"
        assert take_in_own_transaction(new) == 1
    assert numbering.last_number(old) == 3


# --- Concurrency (both engines: these run on SQLite and on PostgreSQL) --------------------


def _run_threads(count: int, target) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrapped(index: int) -> None:
        try:
            target(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had a connection of its own

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished"
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_clerks_get_unique_gapless_numbers(world):
    register = numbering.register_for(world.organ, INCOMING)
    writers, per_writer = 8, 12
    start = threading.Barrier(writers)
    committed: list[int] = []
    guard = threading.Lock()

    def clerk(index: int) -> None:
        start.wait()
        for attempt in range(per_writer):
            try:
                with transaction.atomic():
                    number = numbering.take_next_number(register)
                    time.sleep(0.002)  # the rest of a registration: widens the window for a race
                    if (index + attempt) % 5 == 0:
                        raise Rollback  # a registration that fails after taking its number
            except Rollback:
                continue
            with guard:
                committed.append(number)

    errors = _run_threads(writers, clerk)
    assert errors == []
    rolled_back = sum(1 for i in range(writers) for a in range(per_writer) if (i + a) % 5 == 0)
    expected = writers * per_writer - rolled_back
    assert len(committed) == expected
    assert len(set(committed)) == expected, "duplicate numbers"
    assert sorted(committed) == list(range(1, expected + 1)), "gaps in the numbers"
    assert numbering.last_number(register) == expected


@pytest.mark.django_db(transaction=True)
def test_a_second_clerk_waits_until_the_first_registration_commits(world):
    register = numbering.register_for(world.organ, INCOMING)
    first_took = threading.Event()
    moments: dict[str, float] = {}
    numbers: dict[str, int] = {}

    def first(_: int) -> None:
        with transaction.atomic():
            numbers["first"] = numbering.take_next_number(register)
            first_took.set()
            time.sleep(0.5)
            moments["first_commits"] = time.monotonic()

    def second(_: int) -> None:
        assert first_took.wait(10)
        with transaction.atomic():
            moments["second_begins"] = time.monotonic()
            numbers["second"] = numbering.take_next_number(register)
            moments["second_took"] = time.monotonic()

    errors = _run_threads(2, lambda i: (first, second)[i](i))
    assert errors == []
    assert (numbers["first"], numbers["second"]) == (1, 2)
    assert moments["second_took"] >= moments["first_commits"]
    if connection.vendor == "sqlite":
        # BEGIN IMMEDIATE: the second transaction cannot even start while the first holds
        # the write lock, which is what makes the counter safe without row locks.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert moments["second_begins"] >= moments["first_commits"]
    else:
        # SELECT ... FOR UPDATE: the transaction starts at once, the counter row waits.
        assert moments["second_begins"] < moments["first_commits"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_registrations_of_the_year_share_one_register(world):
    found: list[int] = []
    start = threading.Barrier(6)

    def clerk(_: int) -> None:
        start.wait()
        with transaction.atomic():
            register = numbering.register_for(world.dept, INCOMING, 2026)
            numbering.take_next_number(register)
        found.append(register.pk)

    assert _run_threads(6, clerk) == []
    assert len(set(found)) == 1
    assert Register.objects.filter(unit=world.dept, kind=INCOMING, year=2026).count() == 1
    assert numbering.last_number(Register.objects.get(pk=found[0])) == 6
    assert AuditEvent.objects.filter(action="register.created", target_id=str(found[0])).count() == 1


# --- Configuration --------------------------------------------------------------------------


def test_the_system_check_refuses_sqlite_without_immediate_transactions(monkeypatch):
    settings_dict = connections["default"].settings_dict
    monkeypatch.setitem(settings_dict, "ENGINE", "django.db.backends.sqlite3")
    monkeypatch.setitem(settings_dict, "OPTIONS", {"transaction_mode": "IMMEDIATE"})
    assert sqlite_transactions_are_immediate() == []
    monkeypatch.setitem(settings_dict, "OPTIONS", {})
    problems = sqlite_transactions_are_immediate()
    assert [p.id for p in problems] == ["documents.E001"]
    assert isinstance(problems[0], Error)
