"""Vietnamese labels for action codes, shown in the log page and exports."""

ACTION_LABELS: dict[str, str] = {
    "auth.login": "Đăng nhập",
    "auth.login_failed": "Đăng nhập thất bại",
    "auth.logout": "Đăng xuất",
    "auth.logout_everywhere": "Đăng xuất khỏi mọi thiết bị",
    "auth.locked_out": "Tài khoản bị khóa do đăng nhập sai",
    "auth.password_changed": "Đổi mật khẩu",
    "auth.totp_enabled": "Bật xác thực hai lớp",
    "auth.totp_disabled": "Tắt xác thực hai lớp",
    "account.created": "Tạo tài khoản",
    "account.updated": "Sửa tài khoản",
    "account.deactivated": "Vô hiệu hóa tài khoản",
    "account.reactivated": "Kích hoạt lại tài khoản",
    "account.password_reset": "Đặt lại mật khẩu",
    "account.unlocked": "Mở khóa tài khoản",
    "account.role_granted": "Cấp vai trò",
    "account.role_revoked": "Thu hồi vai trò",
    "account.appointed": "Bổ nhiệm chức vụ",
    "account.appointment_ended": "Kết thúc chức vụ",
    "account.import_started": "Bắt đầu nhập tài khoản",
    "account.import_finished": "Hoàn tất nhập tài khoản",
    "token.created": "Tạo mã truy cập API",
    "token.revoked": "Thu hồi mã truy cập API",
    "token.used": "Sử dụng mã truy cập API",
    "unit.created": "Tạo đơn vị",
    "unit.renamed": "Đổi tên đơn vị",
    "unit.moved": "Chuyển đơn vị",
    "unit.merged": "Sáp nhập đơn vị",
    "unit.dissolved": "Giải thể đơn vị",
    "organ.created": "Tạo cơ quan",
    "position.created": "Tạo chức vụ",
    "delegation.created": "Ủy quyền",
    "delegation.revoked": "Thu hồi ủy quyền",
    "policy.two_factor_changed": "Thay đổi chính sách xác thực hai lớp",
    "audit.exported": "Xuất nhật ký",
    "monitoring.exported": "Xuất báo cáo khai thác sử dụng",
    "demo.loaded": "Nạp dữ liệu mẫu",
}


def label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
