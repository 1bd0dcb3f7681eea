"""The demo ministry: Bộ Công Thương with its units, positions and ~40 people covering
every role. Idempotent: what exists is left alone, so a second run changes nothing.
All names are fictional."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vanban.organisation import services
from vanban.organisation.models import Organ, Position, Unit
from vanban.organisation.roles import Role

DEMO_PASSWORD = "Vanban@2026"
MINISTRY_ID = "000.00.00.G02"
FOUNDED = dt.date(2025, 3, 1)

POSITIONS = [
    # code, name, level, is_leader, rank
    ("bo-truong", "Bộ trưởng", Position.Level.MINISTRY, True, 1),
    ("thu-truong", "Thứ trưởng", Position.Level.MINISTRY, True, 2),
    ("tong-cuc-truong", "Tổng cục trưởng", Position.Level.UNIT, True, 10),
    ("chanh-van-phong", "Chánh Văn phòng", Position.Level.UNIT, True, 11),
    ("chanh-thanh-tra", "Chánh Thanh tra", Position.Level.UNIT, True, 11),
    ("cuc-truong", "Cục trưởng", Position.Level.UNIT, True, 12),
    ("vu-truong", "Vụ trưởng", Position.Level.UNIT, True, 12),
    ("pho-chanh-van-phong", "Phó Chánh Văn phòng", Position.Level.UNIT, True, 20),
    ("pho-cuc-truong", "Phó Cục trưởng", Position.Level.UNIT, True, 21),
    ("pho-vu-truong", "Phó Vụ trưởng", Position.Level.UNIT, True, 21),
    ("truong-phong", "Trưởng phòng", Position.Level.UNIT, True, 30),
    ("pho-truong-phong", "Phó Trưởng phòng", Position.Level.UNIT, True, 31),
    ("chuyen-vien-chinh", "Chuyên viên chính", Position.Level.UNIT, False, 40),
    ("chuyen-vien", "Chuyên viên", Position.Level.UNIT, False, 41),
    ("van-thu", "Văn thư", Position.Level.UNIT, False, 50),
]

# short_name, name, kind, parent short_name
UNITS = [
    ("LĐB", "Lãnh đạo Bộ", Unit.Kind.KHAC, None),
    ("VP", "Văn phòng Bộ", Unit.Kind.VAN_PHONG, None),
    ("VP-HCVT", "Phòng Hành chính – Văn thư", Unit.Kind.PHONG, "VP"),
    ("VP-TH", "Phòng Tổng hợp", Unit.Kind.PHONG, "VP"),
    ("KHTC", "Vụ Kế hoạch – Tài chính", Unit.Kind.VU, None),
    ("PC", "Vụ Pháp chế", Unit.Kind.VU, None),
    ("TCCB", "Vụ Tổ chức cán bộ", Unit.Kind.VU, None),
    ("TTTN", "Vụ Thị trường trong nước", Unit.Kind.VU, None),
    ("DKT", "Vụ Dầu khí và Than", Unit.Kind.VU, None),
    ("TTr", "Thanh tra Bộ", Unit.Kind.THANH_TRA, None),
    ("TMĐT", "Cục Thương mại điện tử và Kinh tế số", Unit.Kind.CUC, None),
    ("TMĐT-CNTT", "Phòng Công nghệ thông tin", Unit.Kind.PHONG, "TMĐT"),
    ("TMĐT-QLTM", "Phòng Quản lý thương mại điện tử", Unit.Kind.PHONG, "TMĐT"),
    ("XNK", "Cục Xuất nhập khẩu", Unit.Kind.CUC, None),
    ("XNK-QLXK", "Phòng Quản lý xuất khẩu", Unit.Kind.PHONG, "XNK"),
    ("ĐL", "Cục Điện lực", Unit.Kind.CUC, None),
    ("HC", "Cục Hóa chất", Unit.Kind.CUC, None),
    ("CN", "Cục Công nghiệp", Unit.Kind.CUC, None),
    ("PVTM", "Cục Phòng vệ thương mại", Unit.Kind.CUC, None),
    ("TCQLTT", "Tổng cục Quản lý thị trường", Unit.Kind.TONG_CUC, None),
    ("TCQLTT-NV", "Vụ Nghiệp vụ quản lý thị trường", Unit.Kind.VU, "TCQLTT"),
]

# username, full name, unit, position, roles (unit-scoped roles apply to the unit)
PEOPLE: list[tuple[str, str, str, str, list[str]]] = [
    ("quantri", "Trần Minh Quân", "TMĐT-CNTT", "chuyen-vien-chinh", [Role.SYSTEM_ADMIN]),
    ("quantri2", "Lê Thị Thu Hà", "TMĐT-CNTT", "truong-phong", [Role.SYSTEM_ADMIN, Role.UNIT_LEADER]),
    ("bt.hoang", "Hoàng Đức Thắng", "LĐB", "bo-truong", [Role.MINISTRY_LEADER]),
    ("tt.nguyen", "Nguyễn Thị Phương Lan", "LĐB", "thu-truong", [Role.MINISTRY_LEADER]),
    ("tt.pham", "Phạm Quốc Huy", "LĐB", "thu-truong", [Role.MINISTRY_LEADER]),
    ("tt.do", "Đỗ Văn Khải", "LĐB", "thu-truong", [Role.MINISTRY_LEADER]),
    ("cvp.vu", "Vũ Thanh Tùng", "VP", "chanh-van-phong", [Role.UNIT_LEADER]),
    ("pcvp.dang", "Đặng Thị Hồng Nhung", "VP", "pho-chanh-van-phong", [Role.UNIT_LEADER]),
    ("vanthu.bo", "Bùi Thị Mai", "VP-HCVT", "van-thu", [Role.MINISTRY_CLERK]),
    ("vanthu.bo2", "Ngô Văn Lực", "VP-HCVT", "van-thu", [Role.MINISTRY_CLERK]),
    ("tp.hcvt", "Đinh Thị Ngọc Ánh", "VP-HCVT", "truong-phong", [Role.UNIT_LEADER]),
    ("cv.tonghop", "Lý Hữu Nghĩa", "VP-TH", "chuyen-vien", [Role.SPECIALIST]),
    ("vt.khtc", "Trịnh Văn Dũng", "KHTC", "vu-truong", [Role.UNIT_LEADER]),
    ("cv.khtc", "Mai Thị Huyền", "KHTC", "chuyen-vien", [Role.SPECIALIST]),
    ("vt.pc", "Tạ Quang Vinh", "PC", "vu-truong", [Role.UNIT_LEADER]),
    ("cv.pc", "Châu Ngọc Diệp", "PC", "chuyen-vien-chinh", [Role.SPECIALIST]),
    ("vt.tccb", "Phan Thị Kim Oanh", "TCCB", "vu-truong", [Role.UNIT_LEADER]),
    ("qt.tccb", "Cao Minh Đức", "TCCB", "chuyen-vien", [Role.UNIT_ADMIN, Role.SPECIALIST]),
    ("vt.tttn", "Lương Văn Toàn", "TTTN", "vu-truong", [Role.UNIT_LEADER]),
    ("cv.tttn", "Hà Thị Thanh Thủy", "TTTN", "chuyen-vien", [Role.SPECIALIST]),
    ("vt.dkt", "Kiều Đình Sơn", "DKT", "vu-truong", [Role.UNIT_LEADER]),
    ("cv.dkt", "Quách Thị Yến", "DKT", "chuyen-vien", [Role.SPECIALIST]),
    ("ctt.tran", "Trần Văn Bình", "TTr", "chanh-thanh-tra", [Role.UNIT_LEADER]),
    ("cv.ttr", "Lã Thị Hạnh", "TTr", "chuyen-vien", [Role.SPECIALIST]),
    ("ct.tmdt", "Nguyễn Hữu Phước", "TMĐT", "cuc-truong", [Role.UNIT_LEADER]),
    ("pct.tmdt", "Võ Thị Bích Ngọc", "TMĐT", "pho-cuc-truong", [Role.UNIT_LEADER]),
    ("vanthu.tmdt", "Tăng Thị Lụa", "TMĐT", "van-thu", [Role.UNIT_CLERK]),
    ("cv.cntt", "Hồ Sỹ Tuấn", "TMĐT-CNTT", "chuyen-vien", [Role.SPECIALIST]),
    ("cv.qltm", "Doãn Thị Quỳnh", "TMĐT-QLTM", "chuyen-vien", [Role.SPECIALIST]),
    ("ct.xnk", "Khúc Văn Hải", "XNK", "cuc-truong", [Role.UNIT_LEADER]),
    ("vanthu.xnk", "Ninh Thị Hoa", "XNK", "van-thu", [Role.UNIT_CLERK]),
    ("qt.xnk", "Giáp Văn Long", "XNK", "chuyen-vien", [Role.UNIT_ADMIN]),
    ("tp.qlxk", "Âu Thị Hương", "XNK-QLXK", "truong-phong", [Role.UNIT_LEADER]),
    ("cv.qlxk", "Mạc Đăng Khoa", "XNK-QLXK", "chuyen-vien", [Role.SPECIALIST]),
    ("ct.dl", "Thái Văn Cường", "ĐL", "cuc-truong", [Role.UNIT_LEADER]),
    ("cv.dl", "Ông Thị Ngân", "ĐL", "chuyen-vien", [Role.SPECIALIST]),
    ("ct.hc", "Lưu Quang Thịnh", "HC", "cuc-truong", [Role.UNIT_LEADER]),
    ("cv.hc", "Triệu Thị Ngọc Hân", "HC", "chuyen-vien", [Role.SPECIALIST]),
    ("ct.cn", "Văn Đức Mạnh", "CN", "cuc-truong", [Role.UNIT_LEADER]),
    ("ct.pvtm", "Bạch Thị Xuân", "PVTM", "cuc-truong", [Role.UNIT_LEADER]),
    ("tct.qltt", "Đoàn Minh Chiến", "TCQLTT", "tong-cuc-truong", [Role.UNIT_LEADER]),
    ("vanthu.qltt", "Tống Thị Duyên", "TCQLTT", "van-thu", [Role.UNIT_CLERK]),
    ("cv.qltt", "Lạc Văn Hưng", "TCQLTT-NV", "chuyen-vien", [Role.SPECIALIST]),
]

# A person who also holds a second post (kiêm nhiệm).
CONCURRENT = [("pct.tmdt", "TMĐT-QLTM", "truong-phong")]


@dataclass
class DemoAccount:
    username: str
    password: str
    full_name: str
    roles: list[str]
    unit: str

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "password": self.password, "full_name": self.full_name,
                "roles": self.roles, "unit": self.unit}


@transaction.atomic
def load_demo() -> tuple[list[DemoAccount], int]:
    """Build (or complete) the demo ministry. Returns the demo accounts and how many
    objects were created in this run (0 on a second run)."""
    from vanban.accounts.models import User
    from vanban.accounts.services import create_account

    created = 0
    organ = Organ.objects.filter(organ_id=MINISTRY_ID).first()
    if organ is None:
        organ = services.create_organ(actor=None, organ_id=MINISTRY_ID, name="Bộ Công Thương", short_name="BCT",
                                      is_own=True, address="54 Hai Bà Trưng, Hoàn Kiếm, Hà Nội")
        created += 1
    positions = {p.code: p for p in Position.objects.all()}
    for code, name, level, is_leader, rank in POSITIONS:
        if code not in positions:
            positions[code] = services.create_position(actor=None, code=code, name=name, level=level,
                                                       is_leader=is_leader, rank=rank)
            created += 1
    units = {u.short_name: u for u in Unit.objects.filter(organ=organ)}
    for order, (short, name, kind, parent) in enumerate(UNITS):
        if short not in units:
            units[short] = services.create_unit(actor=None, organ=organ, name=name, short_name=short, kind=kind,
                                                parent=units[parent] if parent else None,
                                                established_on=FOUNDED, sort_order=order)
            created += 1
    accounts = []
    existing = set(User.objects.filter(username__in=[p[0] for p in PEOPLE]).values_list("username", flat=True))
    for username, full_name, unit_short, position_code, roles in PEOPLE:
        unit = units[unit_short]
        if username not in existing:
            user, _ = create_account(actor=None, username=username, full_name=full_name,
                                     email=f"{username.replace('.', '')}@moit.gov.vn", password=DEMO_PASSWORD,
                                     must_change_password=False)
            services.appoint(actor=None, user=user, unit=unit, position=positions[position_code], start_date=FOUNDED)
            for role in roles:
                services.grant_role(actor=None, user=user, role=role, unit=unit)
            created += 1
        accounts.append(DemoAccount(username, DEMO_PASSWORD, full_name, [str(r) for r in roles], unit.name))
    for username, unit_short, position_code in CONCURRENT:
        user = User.objects.get(username=username)
        unit = units[unit_short]
        if not user.appointments.filter(unit=unit, end_date__isnull=True).exists():
            services.appoint(actor=None, user=user, unit=unit, position=positions[position_code],
                             is_primary=False, start_date=FOUNDED)
            created += 1
    return accounts, created
