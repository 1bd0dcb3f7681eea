from __future__ import annotations

from typing import Any

import pytest

from vanban.audit.tests.helpers import Staff, make_staff


@pytest.fixture
def staff(make_unit: Any, make_user: Any) -> Staff:
    return make_staff(make_unit, make_user)
