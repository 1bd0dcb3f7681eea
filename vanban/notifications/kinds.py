"""The kinds of notification a person can receive, with their Vietnamese labels.
Apps add their kinds here so the preferences page can list them all."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "assignment.assigned": "Được giao xử lý văn bản",
    "assignment.reminder": "Nhắc hạn xử lý",
    "assignment.overdue": "Quá hạn xử lý",
    "assignment.escalated": "Báo cáo việc quá hạn (leo thang)",
    "assignment.urged": "Đôn đốc xử lý",
    "presentation.received": "Văn bản trình xin ý kiến chỉ đạo",
    "outgoing.review": "Dự thảo chờ duyệt",
    "outgoing.recalled": "Văn bản đã nhận bị thu hồi",
    "exchange.changed": "Văn bản liên thông đến bị thu hồi, cập nhật, thay thế",
    "schedule.changed": "Thay đổi lịch công tác",
    "records.transfer_due": "Hồ sơ sắp đến hạn nộp lưu",
    "system": "Thông báo hệ thống",
}

# E-mail right away for what needs acting on today (an urge, an escalation, an overdue
# assignment); everything else waits for the daily digest unless the person says otherwise.
IMMEDIATE_BY_DEFAULT: frozenset[str] = frozenset({"assignment.urged", "assignment.escalated", "assignment.overdue"})


def label(kind: str) -> str:
    return KINDS.get(kind, kind)


def default_email(kind: str) -> str:
    """The e-mail mode ("immediate", "digest" or "off") for a kind the person never set."""
    return "immediate" if kind in IMMEDIATE_BY_DEFAULT else "digest"
