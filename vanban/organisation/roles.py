"""The roles later issues check. A role grant may be scoped to a unit (and so to its
subtree); system-wide roles have no unit."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "Quản trị hệ thống"
    UNIT_ADMIN = "unit_admin", "Quản trị đơn vị"
    MINISTRY_CLERK = "ministry_clerk", "Văn thư Bộ"
    UNIT_CLERK = "unit_clerk", "Văn thư đơn vị"
    MINISTRY_LEADER = "ministry_leader", "Lãnh đạo Bộ"
    UNIT_LEADER = "unit_leader", "Lãnh đạo đơn vị"
    SPECIALIST = "specialist", "Chuyên viên"


# Roles whose grant must name the unit they act in.
UNIT_SCOPED_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_CLERK, Role.UNIT_LEADER, Role.SPECIALIST})


class SigningAuthority(models.TextChoices):
    """ND30 Art 13: the prefix printed before the signer's title, and the kinds of
    delegation the system records ("on behalf of")."""

    UY_QUYEN = "UQ", "Ủy quyền xử lý"
    TM = "TM", "TM. (thay mặt tập thể)"
    Q = "Q", "Q. (quyền)"
    KT = "KT", "KT. (ký thay)"
    TL = "TL", "TL. (thừa lệnh)"
    TUQ = "TUQ", "TUQ. (thừa ủy quyền)"
