"""Shared test fixtures. Test data is built through the real services."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from vanban.organisation.models import Organ, Position, Unit

PASSWORD = "Matkhau@2026"
_seq = itertools.count(1)


@pytest.fixture
def organ(db: Any) -> Organ:
    from vanban.organisation import services

    return services.create_organ(actor=None, organ_id="000.00.00.G02", name="Bộ Công Thương", short_name="BCT", is_own=True)


@pytest.fixture
def position(db: Any) -> Position:
    from vanban.organisation import services

    return services.create_position(actor=None, code="chuyen-vien", name="Chuyên viên")


@pytest.fixture
def make_unit(organ: Organ) -> Callable[..., Unit]:
    from vanban.organisation import services

    def make(name: str | None = None, parent: Unit | None = None, short_name: str = "", **kw: Any) -> Unit:
        n = next(_seq)
        return services.create_unit(actor=None, organ=organ, name=name or f"Đơn vị thử {n}",
                                    short_name=short_name or f"DV{n}", parent=parent, **kw)

    return make


@pytest.fixture
def make_user(position: Position) -> Callable[..., Any]:
    """make_user(roles=[...], unit=unit) → a user appointed in `unit` with the roles."""
    from vanban.accounts.services import create_account
    from vanban.organisation import services

    def make(username: str | None = None, *, roles: list[str] | tuple[str, ...] = (), unit: Unit | None = None,
             full_name: str | None = None, email: str = "") -> Any:
        n = next(_seq)
        user, _ = create_account(actor=None, username=username or f"user{n}", full_name=full_name or f"Người dùng {n}",
                                 email=email, password=PASSWORD, must_change_password=False)
        if unit is not None:
            services.appoint(actor=None, user=user, unit=unit, position=position)
        for role in roles:
            services.grant_role(actor=None, user=user, role=role, unit=unit)
        return user

    return make


@pytest.fixture
def web_client() -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_client() -> Callable[[Any], APIClient]:
    def login(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def demo(db: Any) -> Any:
    from vanban.organisation.demo import load_demo

    return load_demo()


def run_queued_jobs() -> None:
    """Run everything in the database task queue, as the worker process would.

    Needs `@pytest.mark.django_db(transaction=True)`: jobs are enqueued on commit, and
    the worker closes the connection between tasks, which a test wrapped in one
    transaction cannot survive ("Cannot operate on a closed database")."""
    from django.db import connection

    assert not connection.in_atomic_block, "run_queued_jobs() needs @pytest.mark.django_db(transaction=True)"
    call_command("db_worker", batch=True, interval=0, verbosity=0, startup_delay=False)
