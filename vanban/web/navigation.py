"""The navigation a person sees depends on their roles (issue: right navigation per role)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from vanban.organisation.permissions import role_codes
from vanban.organisation.roles import Role

ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.UNIT_ADMIN})
SYSADMIN = frozenset({Role.SYSTEM_ADMIN})
REGISTER_KEEPERS = frozenset({Role.MINISTRY_CLERK, Role.UNIT_CLERK, Role.SYSTEM_ADMIN, Role.UNIT_ADMIN})
LEADERS_AND_CLERKS = frozenset(
    {Role.MINISTRY_LEADER, Role.UNIT_LEADER, Role.MINISTRY_CLERK, Role.UNIT_CLERK, Role.SYSTEM_ADMIN, Role.UNIT_ADMIN}
)

CLERKS = frozenset({Role.MINISTRY_CLERK, Role.UNIT_CLERK})
UNIT_INBOX = frozenset({Role.UNIT_LEADER, Role.UNIT_CLERK})
INCOMING_READERS = frozenset(
    {Role.MINISTRY_CLERK, Role.UNIT_CLERK, Role.MINISTRY_LEADER, Role.UNIT_LEADER, Role.SPECIALIST}
)

TASK_READERS = frozenset({Role.MINISTRY_LEADER, Role.UNIT_LEADER, Role.SPECIALIST})

RECORDS_KEEPERS = frozenset({Role.MINISTRY_CLERK, Role.UNIT_CLERK, Role.MINISTRY_LEADER, Role.UNIT_LEADER})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    key: str = ""


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...]
    key: str = ""


NAVIGATION: tuple[NavSection, ...] = (
    NavSection("Công việc", (
        NavItem("Việc của tôi", "web:home", key="home"),
        NavItem("Văn bản đến", "web:incoming_list", INCOMING_READERS, key="incoming"),
        NavItem("Văn bản chờ trình", "web:awaiting", CLERKS, key="awaiting"),
        NavItem("Văn bản liên thông đến", "web:exchange_received", frozenset({Role.MINISTRY_CLERK}), key="exchange_received"),
        NavItem("Văn bản đi", "web:outgoing_list", INCOMING_READERS, key="outgoing"),
        NavItem("Việc của đơn vị", "web:unit_box", UNIT_INBOX, key="unit"),
        NavItem("Công việc được giao", "web:tasks", TASK_READERS, key="tasks"),
        NavItem("Giao việc", "web:task_new", frozenset({Role.MINISTRY_LEADER, Role.UNIT_LEADER}), key="task_new"),
        NavItem("Thống kê", "web:reports_dashboard", INCOMING_READERS, key="reports"),
        NavItem("Tác vụ nền", "web:jobs", key="jobs"),
        NavItem("Sổ văn bản", "web:registers", REGISTER_KEEPERS, key="registers"),
        NavItem("Hồ sơ", "web:records_dossiers", INCOMING_READERS, key="records"),
        NavItem("Danh mục hồ sơ", "web:records_plans", INCOMING_READERS, key="records_plans"),
        NavItem("Nộp lưu, lưu trữ", "web:records_transfers", RECORDS_KEEPERS, key="records_transfers"),
        NavItem("Ủy quyền", "web:delegations", LEADERS_AND_CLERKS, key="delegations"),
        NavItem("Danh bạ", "web:directory", key="directory"),
        NavItem("Lịch công tác", "web:schedule", key="schedule"),
        NavItem("Tìm kiếm", "web:search", INCOMING_READERS, key="search"),
    ), key="work"),
    NavSection("Quản trị", (
        NavItem("Đơn vị", "web:units", ADMINS, key="units"),
        NavItem("Tài khoản", "web:accounts", ADMINS, key="accounts"),
        NavItem("Nhập tài khoản", "web:account_import", ADMINS, key="account_import"),
        NavItem("Chức vụ", "web:positions", SYSADMIN, key="positions"),
        NavItem("Loại văn bản", "web:document_types", SYSADMIN, key="document_types"),
        NavItem("Lịch làm việc", "web:work_calendar", SYSADMIN, key="work_calendar"),
        NavItem("Hạn xử lý mặc định", "web:deadline_rules", SYSADMIN, key="deadline_rules"),
        NavItem("Chỉ mục tìm kiếm", "web:search_admin", SYSADMIN, key="search_admin"),
        NavItem("Quy trình duyệt", "web:review_routes", ADMINS, key="review_routes"),
        NavItem("Chính sách bảo mật", "web:security_policy", SYSADMIN, key="security_policy"),
        NavItem("Chữ ký số cơ quan", "web:organ_seal", frozenset({Role.SYSTEM_ADMIN, Role.MINISTRY_CLERK}), key="organ_seal"),
        NavItem("Danh bạ liên thông", "web:exchange_partners", SYSADMIN, key="exchange_partners"),
        NavItem("Liên thông gửi lỗi", "web:exchange_outbox", SYSADMIN, key="exchange_outbox"),
        NavItem("Thư điện tử gửi lỗi", "web:email_failures", SYSADMIN, key="email_failures"),
        NavItem("Nhật ký hệ thống", "web:audit", SYSADMIN, key="audit"),
        NavItem("Giám sát sử dụng", "web:usage", SYSADMIN, key="usage"),
        NavItem("Sao lưu", "web:backups", SYSADMIN, key="backups"),
    ), key="admin"),
)


@dataclass
class VisibleSection:
    label: str
    key: str
    items: list[dict[str, Any]] = field(default_factory=list)


def navigation_for(user: Any, current_path: str = "", counts: dict[str, int] | None = None) -> list[VisibleSection]:
    """`counts` (workflow.selectors.counts) puts a number beside "Việc của tôi" and
    "Văn bản chờ trình"."""
    roles = role_codes(user)
    badges = {"home": (counts or {}).get("total", 0), "awaiting": (counts or {}).get("awaiting", 0)}
    sections = []
    for section in NAVIGATION:
        visible = VisibleSection(section.label, section.key)
        for item in section.items:
            if item.roles is not None and not (roles & item.roles):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                # Only while a page is being built; test_navigation asserts all resolve.
                continue
            active = current_path == url or (url != "/" and current_path.startswith(url))
            visible.items.append(
                {"label": item.label, "url": url, "key": item.key, "active": active, "count": badges.get(item.key, 0)}
            )
        if visible.items:
            sections.append(visible)
    return sections
