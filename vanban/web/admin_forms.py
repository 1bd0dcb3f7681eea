"""Forms of the administration, delegation, token and directory pages. They only shape
input; every rule is checked by the service the view calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from vanban.accounts.models import User
from vanban.accounts.services import MAX_TOKEN_DAYS, TOKEN_SCOPES
from vanban.core.errors import VanbanError
from vanban.core.timeutil import today
from vanban.organisation.models import Position, Unit
from vanban.organisation.roles import UNIT_SCOPED_ROLES, Role, SigningAuthority
from vanban.web.forms import VanbanForm, date_field

TOP_LEVEL_LABEL = "— Trực thuộc Bộ (cấp cao nhất) —"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        # Indent by depth so a flat <select> still reads as the tree.
        return "\u00a0\u00a0" * max(obj.depth, 0) + (f"{obj.name} ({obj.short_name})" if obj.short_name else obj.name)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.username})"


def _unit_field(
    units: QuerySet[Unit], label: str, *, required: bool, empty_label: str = "— Chọn đơn vị —"
) -> UnitChoiceField:
    return UnitChoiceField(queryset=units, label=label, required=required, empty_label=empty_label)


class AdminForm(VanbanForm):
    """Services name fields by their own arguments; a form may call them differently."""

    error_aliases: dict[str, str] = {}

    def add_vanban_error(self, exc: VanbanError) -> None:
        field = self.error_aliases.get(exc.field or "", exc.field)
        self.add_error(field if field in self.fields else None, exc.message)


# --- Units -------------------------------------------------------------------------


class UnitCreateForm(AdminForm):
    name = forms.CharField(label="Tên đơn vị", max_length=200)
    short_name = forms.CharField(label="Tên viết tắt", max_length=30, required=False)
    kind = forms.ChoiceField(label="Loại đơn vị", choices=Unit.Kind.choices, initial=Unit.Kind.PHONG)
    parent = forms.ModelChoiceField(queryset=Unit.objects.none())
    established_on = date_field("Ngày thành lập", required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], top_level_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _unit_field(
            units,
            "Đơn vị cấp trên",
            required=not top_level_allowed,
            empty_label=TOP_LEVEL_LABEL if top_level_allowed else "— Chọn đơn vị —",
        )
        self.fields["parent"].widget.attrs["class"] = "form-select"
        self.fields["established_on"].initial = today()


class UnitRenameForm(AdminForm):
    name = forms.CharField(label="Tên mới", max_length=200)
    short_name = forms.CharField(label="Tên viết tắt", max_length=30, required=False)
    effective_on = date_field("Có hiệu lực từ ngày")


class UnitMoveForm(AdminForm):
    parent = forms.ModelChoiceField(queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[Unit], top_level_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _unit_field(
            units,
            "Chuyển về trực thuộc",
            required=not top_level_allowed,
            empty_label=TOP_LEVEL_LABEL if top_level_allowed else "— Chọn đơn vị —",
        )
        self.fields["parent"].widget.attrs["class"] = "form-select"


class UnitMergeForm(AdminForm):
    target = forms.ModelChoiceField(queryset=Unit.objects.none())
    effective_on = date_field("Có hiệu lực từ ngày")
    confirm = forms.BooleanField(
        label="Tôi xác nhận sáp nhập: cán bộ, vai trò và đơn vị trực thuộc sẽ chuyển sang đơn vị tiếp nhận.",
        error_messages={"required": "Vui lòng đánh dấu xác nhận trước khi sáp nhập."},
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"] = _unit_field(units, "Sáp nhập vào đơn vị", required=True)
        self.fields["target"].widget.attrs["class"] = "form-select"
        self.order_fields(["target", "effective_on", "confirm"])


class UnitDissolveForm(AdminForm):
    effective_on = date_field("Giải thể từ ngày")
    confirm = forms.BooleanField(
        label="Tôi xác nhận giải thể đơn vị này. Thao tác không thể hoàn tác.",
        error_messages={"required": "Vui lòng đánh dấu xác nhận trước khi giải thể."},
    )


class PositionCreateForm(AdminForm):
    name = forms.CharField(label="Tên chức vụ", max_length=100)
    code = forms.SlugField(
        label="Mã", max_length=40, required=False, help_text="Để trống để tạo tự động từ tên (không dấu)."
    )
    level = forms.ChoiceField(label="Cấp", choices=Position.Level.choices, initial=Position.Level.UNIT)
    is_leader = forms.BooleanField(label="Là chức vụ lãnh đạo", required=False)
    rank = forms.IntegerField(
        label="Thứ tự sắp xếp",
        min_value=0,
        max_value=32767,
        initial=100,
        help_text="Số nhỏ đứng trước trong danh sách cán bộ.",
    )


# --- Accounts ----------------------------------------------------------------------

STATUS_CHOICES = [
    ("", "Mọi trạng thái"),
    ("active", "Đang hoạt động"),
    ("inactive", "Đã vô hiệu hóa"),
    ("locked", "Đang bị khóa"),
]


class AccountFilterForm(VanbanForm):
    q = forms.CharField(
        label="Tìm kiếm",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Họ tên, tên đăng nhập, thư điện tử", "type": "search"}),
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    role = forms.ChoiceField(label="Vai trò", required=False, choices=[("", "Mọi vai trò"), *Role.choices])
    status = forms.ChoiceField(label="Trạng thái", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(units, "Đơn vị", required=False, empty_label="Mọi đơn vị")
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.order_fields(["q", "unit", "role", "status"])


def _role_choices(allowed_all: bool) -> list[tuple[str, str]]:
    if allowed_all:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value in UNIT_SCOPED_ROLES]


class AccountCreateForm(AdminForm):
    username = forms.CharField(
        label="Tên đăng nhập",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label="Họ và tên", max_length=100)
    email = forms.CharField(
        label="Thư điện tử", max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label="Điện thoại", max_length=30, required=False)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none())
    position = forms.ModelChoiceField(
        queryset=Position.objects.all(), label="Chức vụ", required=False, empty_label="— Chọn chức vụ —"
    )
    roles = forms.MultipleChoiceField(label="Vai trò", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, units: QuerySet[Unit], sysadmin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(
            units,
            "Đơn vị",
            required=not sysadmin,
            empty_label="— Không gắn đơn vị —" if sysadmin else "— Chọn đơn vị —",
        )
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["roles"].choices = _role_choices(sysadmin)
        self.order_fields(["username", "full_name", "email", "phone", "unit", "position", "roles"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Without a position the person has no appointment, and a unit administrator
        # would lose sight of the account they just created.
        if data.get("unit") and not data.get("position"):
            self.add_error("position", "Vui lòng chọn chức vụ của người này tại đơn vị.")
        elif data.get("position") and not data.get("unit"):
            self.add_error("unit", "Vui lòng chọn đơn vị nơi người này giữ chức vụ.")
        return data


class AccountProfileForm(AdminForm):
    full_name = forms.CharField(label="Họ và tên", max_length=100)
    email = forms.CharField(label="Thư điện tử", max_length=254, required=False, widget=forms.EmailInput)
    phone = forms.CharField(label="Điện thoại", max_length=30, required=False)


class DeactivateForm(AdminForm):
    reason = forms.CharField(label="Lý do", max_length=500, required=False)


class AppointForm(AdminForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none())
    position = forms.ModelChoiceField(queryset=Position.objects.all(), label="Chức vụ", empty_label="— Chọn chức vụ —")
    is_primary = forms.BooleanField(label="Chức vụ chính (bỏ chọn nếu là kiêm nhiệm)", required=False)
    start_date = date_field("Từ ngày")

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(units, "Đơn vị", required=True)
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["start_date"].initial = today()
        self.order_fields(["unit", "position", "is_primary", "start_date"])


class GrantRoleForm(AdminForm):
    role = forms.ChoiceField(label="Vai trò")
    unit = forms.ModelChoiceField(queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[Unit], sysadmin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "— Chọn vai trò —"), *_role_choices(sysadmin)]
        self.fields["unit"] = _unit_field(
            units, "Phạm vi đơn vị", required=False, empty_label="— Toàn Bộ (vai trò không gắn đơn vị) —"
        )
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["unit"].help_text = "Bắt buộc với quản trị đơn vị, văn thư đơn vị, lãnh đạo đơn vị, chuyên viên."


# --- Tokens --------------------------------------------------------------------------


class TokenCreateForm(AdminForm):
    name = forms.CharField(
        label="Tên gợi nhớ", max_length=100, help_text="Ví dụ: Phần mềm quản lý văn bản của Cục, tập lệnh báo cáo."
    )
    scopes = forms.MultipleChoiceField(
        label="Phạm vi quyền", choices=list(TOKEN_SCOPES.items()), widget=forms.CheckboxSelectMultiple, initial=["read"]
    )
    expires_in_days = forms.IntegerField(
        label="Hiệu lực (số ngày)",
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=90,
        help_text=f"Tối đa {MAX_TOKEN_DAYS} ngày.",
    )
    error_aliases = {"expires_at": "expires_in_days"}


# --- Security policy -------------------------------------------------------------------


class TwoFactorPolicyForm(AdminForm):
    role = forms.ChoiceField(choices=Role.choices)
    required = forms.BooleanField(required=False)


# --- Delegations -----------------------------------------------------------------------


class DelegationForm(AdminForm):
    principal = PersonChoiceField(
        queryset=User.objects.none(), label="Người ủy quyền", required=False, empty_label="— Tôi —"
    )
    delegate = PersonChoiceField(
        queryset=User.objects.none(), label="Người nhận ủy quyền", empty_label="— Chọn người —"
    )
    authority = forms.ChoiceField(
        label="Hình thức", choices=SigningAuthority.choices, initial=SigningAuthority.UY_QUYEN
    )
    roles = forms.MultipleChoiceField(
        label="Vai trò được ủy quyền",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Không chọn = mọi vai trò của người ủy quyền.",
    )
    start_date = date_field("Từ ngày")
    end_date = date_field("Đến hết ngày")
    reason = forms.CharField(
        label="Lý do",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: đi công tác nước ngoài"}),
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[User],
        principals: QuerySet[User] | None,
        role_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if principals is None:
            del self.fields["principal"]
        else:
            self.fields["principal"].queryset = principals
            self.fields[
                "principal"
            ].help_text = "Quản trị có thể ghi nhận ủy quyền thay cho lãnh đạo thuộc phạm vi của mình."
        self.fields["delegate"].queryset = people
        self.fields["roles"].choices = role_choices
        self.fields["start_date"].initial = today()


# --- Directory ----------------------------------------------------------------------------


class DirectorySearchForm(VanbanForm):
    q = forms.CharField(
        label="Tìm trong danh bạ",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": "Họ tên, chức vụ, đơn vị, thư điện tử, điện thoại", "type": "search"}
        ),
    )
