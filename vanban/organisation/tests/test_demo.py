from __future__ import annotations

import json
import unicodedata

import pytest
from django.core.management import call_command

from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.organisation.demo import load_demo
from vanban.organisation.models import Unit
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_ministry_covers_every_role_with_vietnamese_names():
    accounts, created = load_demo()
    assert created > 50
    assert Unit.objects.filter(parent__isnull=True).count() >= 15
    assert 38 <= User.objects.count() <= 50
    roles = {r for a in accounts for r in a.roles}
    assert roles == set(Role.values)
    for user in User.objects.all():
        assert unicodedata.is_normalized("NFC", user.full_name)
    assert User.objects.get(username="bt.hoang").appointments.get().position.name == "Bộ trưởng"


def test_loading_the_demo_twice_changes_nothing():
    load_demo()
    counts = (User.objects.count(), Unit.objects.count(), AuditEvent.objects.count())
    _, created = load_demo()
    assert created == 0
    assert (User.objects.count(), Unit.objects.count(), AuditEvent.objects.count()) == counts


def test_demo_json_lists_accounts_for_scripts(capsys):
    call_command("demo", "--json")
    data = json.loads(capsys.readouterr().out)
    admin = next(a for a in data if a["username"] == "quantri")
    assert admin["roles"] == ["system_admin"]
    assert set(admin) >= {"username", "password", "roles", "unit"}
    assert User.objects.get(username="quantri").check_password(admin["password"])
