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
    "schedule.changed": "Thay đổi lịch công tác",
    "records.transfer_due": "Hồ sơ sắp đến hạn nộp lưu",
    "system": "Thông báo hệ thống",
}


def label(kind: str) -> str:
    return KINDS.get(kind, kind)
