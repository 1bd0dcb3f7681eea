"""The search form shared by the web page and the API's query parameters."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.documents.catalogue import Urgency
from vanban.documents.models import DocumentType, Register
from vanban.organisation.models import Organ, Unit
from vanban.search.selectors import MAX_PAGE_SIZE, PAGE_SIZE, SearchParams


def status_choices() -> list[tuple[str, str]]:
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    return [("", "Tất cả")] + [(v, f"Đến: {label}") for v, label in IncomingDocument.Status.choices] + [
        (v, f"Đi: {label}") for v, label in OutgoingDocument.Status.choices]  # fmt: skip


class SearchForm(forms.Form):
    q = forms.CharField(label="Từ khóa", required=False, max_length=500)
    kind = forms.ChoiceField(label="Loại", required=False,
                             choices=[("", "Đến và đi"), ("incoming", "Văn bản đến"), ("outgoing", "Văn bản đi")])  # fmt: skip
    document_type = forms.ModelChoiceField(label="Loại văn bản", required=False, empty_label="Tất cả",
                                           queryset=DocumentType.objects.filter(is_active=True).order_by("name"))  # fmt: skip
    organ = forms.ModelChoiceField(label="Cơ quan ban hành", required=False, empty_label="Tất cả",
                                   queryset=Organ.objects.order_by("name"))  # fmt: skip
    unit = forms.ModelChoiceField(label="Đơn vị", required=False, empty_label="Tất cả",
                                  queryset=Unit.objects.order_by("path"))  # fmt: skip
    register = forms.ModelChoiceField(label="Sổ văn bản", required=False, empty_label="Tất cả",
                                      queryset=Register.objects.order_by("-year", "pk"))  # fmt: skip
    status = forms.ChoiceField(label="Trạng thái", required=False, choices=status_choices)
    urgency = forms.ChoiceField(label="Độ khẩn", required=False, choices=[("", "Tất cả"), *Urgency.choices])
    signer = forms.CharField(label="Người ký", required=False, max_length=100)
    date_from = forms.DateField(label="Từ ngày", required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    date_to = forms.DateField(label="Đến ngày", required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                              widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    sort = forms.ChoiceField(label="Sắp xếp", required=False, choices=[
        ("relevance", "Phù hợp nhất"), ("-date", "Mới nhất"), ("date", "Cũ nhất")])  # fmt: skip
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field.widget, forms.HiddenInput):
                css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
                field.widget.attrs.setdefault("class", css)
                field.widget.attrs.setdefault("data-field", name)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "Ngày kết thúc phải sau ngày bắt đầu.")
        return data

    def params(self) -> SearchParams:
        d = self.cleaned_data
        return SearchParams(
            q=d.get("q") or "", kind=d.get("kind") or "",
            document_type=d["document_type"].pk if d.get("document_type") else None,
            organ=d["organ"].pk if d.get("organ") else None, unit=d["unit"].pk if d.get("unit") else None,
            register=d["register"].pk if d.get("register") else None, status=d.get("status") or "",
            urgency=d.get("urgency") or "", signer=d.get("signer") or "", date_from=d.get("date_from"),
            date_to=d.get("date_to"), sort=d.get("sort") or "relevance", page=d.get("page") or 1,
            page_size=d.get("page_size") or PAGE_SIZE,
        )  # fmt: skip

    def first_error(self) -> tuple[str, str]:
        for name, errors in self.errors.items():
            return name, str(errors[0])
        return "", ""
