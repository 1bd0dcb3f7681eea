"""Shared form plumbing: Bootstrap classes, and domain errors shown beside the field."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.core.errors import VanbanError


class VanbanFormMixin:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_vanban_error(self, exc: VanbanError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)  # type: ignore[attr-defined]


class VanbanForm(VanbanFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)


class LoginForm(VanbanForm):
    username = forms.CharField(label="Tên đăng nhập hoặc thư điện tử", max_length=254,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="Mật khẩu", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OtpForm(VanbanForm):
    token = forms.CharField(label="Mã xác thực (6 chữ số)", max_length=8,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class PasswordChangeForm(VanbanForm):
    old_password = forms.CharField(label="Mật khẩu hiện tại", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="Mật khẩu mới", strip=False, widget=forms.PasswordInput,
                                   help_text="Ít nhất 10 ký tự, gồm ba trong bốn loại: chữ thường, chữ hoa, chữ số, ký hiệu.")
    confirm_password = forms.CharField(label="Nhập lại mật khẩu mới", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", "Hai lần nhập mật khẩu mới không khớp.")
        return data


class ProfileForm(VanbanForm):
    full_name = forms.CharField(label="Họ và tên", max_length=100)
    email = forms.CharField(label="Thư điện tử", max_length=254, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=30, required=False)
