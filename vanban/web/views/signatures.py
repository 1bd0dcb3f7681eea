"""Digital signatures: a person's own certificates and signature image ("Chữ ký số"
under their account), and the organ's seal certificate and image (system
administrators and the ministry's Văn thư)."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vanban.organisation.roles import Role
from vanban.signatures import selectors, services
from vanban.signatures.models import SignatureImage
from vanban.signatures.timestamps import describe_settings
from vanban.web.admin_forms import AdminForm
from vanban.web.views._admin import roles_required, run_action, run_with_form

MAX_UPLOAD = 5 * 1024 * 1024


class IssueForm(AdminForm):
    password = forms.CharField(
        label="Mật khẩu ký số",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Ít nhất 6 ký tự; được hỏi mỗi lần ký và không lưu ở đâu cả: quên thì phải cấp lại.",
    )
    password2 = forms.CharField(label="Nhập lại mật khẩu ký số", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "Hai lần nhập mật khẩu không khớp.")
        return data


class ImportForm(AdminForm):
    file = forms.FileField(label="Tệp PKCS#12 (.p12, .pfx)")
    password = forms.CharField(label="Mật khẩu của tệp", required=False, widget=forms.PasswordInput)
    label = forms.CharField(label="Tên gợi nhớ", required=False, max_length=200)


class ImageForm(AdminForm):
    image = forms.FileField(label="Ảnh PNG nền trong suốt")
    error_aliases = {"file": "image"}


class RevokeForm(AdminForm):
    reason = forms.CharField(label="Lý do", required=False, max_length=300)


def _data_uri(image: SignatureImage | None) -> str:
    if image is None:
        return ""
    return "data:image/png;base64," + base64.b64encode(selectors.image_bytes(image)).decode("ascii")


def _read(upload: Any) -> bytes:
    # One byte past the limit is enough for the service to refuse an oversized file.
    return upload.read(MAX_UPLOAD + 1)


@login_required
def my_signatures(request: HttpRequest) -> HttpResponse:
    user = request.user
    issue_form = IssueForm(request.POST if request.POST.get("action") == "issue" else None, prefix="issue")
    import_form = ImportForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
        prefix="import",
    )
    image_form = ImageForm(
        request.POST if request.POST.get("action") == "image" else None,
        request.FILES if request.POST.get("action") == "image" else None,
        prefix="image",
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue" and issue_form.is_valid():
            ok, credential = run_with_form(
                issue_form,
                services.issue_certificate,
                actor=user,
                user=user,
                password=issue_form.cleaned_data["password"],
            )
            if ok:
                messages.success(request, f"Đã cấp chứng thư số số hiệu {credential.serial_hex[:16]}….")
                return redirect("web:my_signatures")
        elif action == "import" and import_form.is_valid():
            data = import_form.cleaned_data
            ok, _ = run_with_form(
                import_form,
                services.import_pkcs12,
                actor=user,
                user=user,
                data=_read(data["file"]),
                password=data.get("password") or "",
                label=data.get("label") or "",
            )
            if ok:
                messages.success(request, "Đã nhập chứng thư số từ tệp PKCS#12.")
                return redirect("web:my_signatures")
        elif action == "image" and image_form.is_valid():
            upload = image_form.cleaned_data["image"]
            ok, _ = run_with_form(
                image_form, services.set_signature_image, actor=user, user=user, data=_read(upload), name=upload.name
            )
            if ok:
                messages.success(request, "Đã cập nhật ảnh chữ ký.")
                return redirect("web:my_signatures")
        elif action == "generate":
            run_action(request, services.generate_signature_image, "Đã tạo ảnh chữ ký mẫu.", actor=user, user=user)
            return redirect("web:my_signatures")
    return render(
        request,
        "web/signatures/mine.html",
        {
            "page_title": "Chữ ký số",
            "credentials": list(selectors.credentials_of(user)),
            "active": selectors.active_credential(user),
            "image": selectors.signature_image(user),
            "image_uri": _data_uri(selectors.signature_image(user)),
            "pki_ready": selectors.active_authority() is not None,
            "issue_form": issue_form,
            "import_form": import_form,
            "image_form": image_form,
            "revoke_form": RevokeForm(prefix="revoke"),
        },
    )


@login_required
@require_POST
def my_signature_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    credential = selectors.credentials_of(request.user).filter(pk=pk).first()
    if credential is None:
        raise Http404
    run_action(
        request,
        services.revoke_credential,
        "Đã thu hồi chứng thư số: không thể dùng để ký nữa.",
        actor=request.user,
        credential=credential,
        reason=request.POST.get("revoke-reason", ""),
    )
    return redirect("web:my_signatures")


@roles_required(Role.SYSTEM_ADMIN, Role.MINISTRY_CLERK)
def organ_seal(request: HttpRequest) -> HttpResponse:
    form = ImageForm(request.POST or None, request.FILES or None, prefix="seal")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["image"]
        ok, _ = run_with_form(form, services.set_seal_image, actor=request.user, data=_read(upload), name=upload.name)
        if ok:
            messages.success(request, "Đã cập nhật ảnh con dấu của cơ quan.")
            return redirect("web:organ_seal")
    seal = selectors.seal_image()
    return render(
        request,
        "web/signatures/organ.html",
        {
            "page_title": "Chữ ký số cơ quan",
            "authority": selectors.active_authority(),
            "credentials": list(selectors.organ_credentials()),
            "active": selectors.organ_credential(),
            "seal": seal,
            "seal_uri": _data_uri(seal),
            "form": form,
            "timestamps": describe_settings(),
        },
    )


@csrf_exempt
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    """The organ's internal RFC 3161 timestamp service (VANBAN_TSA_URL=internal here, or
    this address for the ministry's other systems): application/timestamp-query in,
    application/timestamp-reply out."""
    from vanban.signatures.errors import SignatureError
    from vanban.signatures.timestamps import respond

    if request.content_type != "application/timestamp-query":
        return HttpResponse("Cần Content-Type: application/timestamp-query", status=415, content_type="text/plain")
    if len(request.body) > 16_384:
        return HttpResponse("Yêu cầu quá lớn", status=413, content_type="text/plain")
    try:
        reply = respond(request.body)
    except SignatureError as exc:
        status = 503 if exc.code == "tsa_missing" else 400
        return HttpResponse(exc.message, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(reply, content_type="application/timestamp-reply")


def crl(request: HttpRequest, serial: str) -> HttpResponse:
    """The internal CA's certificate revocation list, public as CRLs are (RFC 5280):
    the distribution point every certificate it issues names."""
    from vanban.signatures.models import CertificateAuthority

    authority = CertificateAuthority.objects.filter(serial_hex=serial.lower()).exclude(crl_der=b"").first()
    if authority is None:
        raise Http404
    response = HttpResponse(bytes(authority.crl_der), content_type="application/pkix-crl")
    response["Cache-Control"] = "max-age=300"
    return response
