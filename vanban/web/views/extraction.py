"""Đọc tự động: the clerk's "Đọc tự động" button on the registration form, the OCR
progress page, and the way back to the pre-filled form. Thin: the work is in
vanban.extraction.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from vanban.core import errors
from vanban.extraction import selectors, services
from vanban.extraction.models import Proposal
from vanban.incoming.permissions import may_register


def _form_url(proposal: Proposal) -> str:
    return f"{reverse('web:incoming_register')}?de_xuat={proposal.pk}"


@login_required
@require_POST
def extraction_start(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise DjangoPermissionDenied
    upload = (request.FILES.getlist("files") or request.FILES.getlist("file") or [None])[0]
    if upload is None:
        messages.error(request, "Hãy chọn tệp văn bản (PDF hoặc ảnh quét) trước khi bấm «Đọc tự động».")
        return redirect("web:incoming_register")
    try:
        proposal = services.request_proposal(actor=request.user, name=upload.name, content=upload)
    except errors.PermissionDenied:
        raise DjangoPermissionDenied from None
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
        return redirect("web:incoming_register")
    if proposal.state == Proposal.State.DONE:
        return redirect(_form_url(proposal))
    return redirect("web:extraction_progress", pk=proposal.pk)


@login_required
@require_http_methods(["GET"])
def extraction_progress(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        proposal = selectors.get_proposal_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None
    finished = proposal.state != Proposal.State.PENDING
    if finished and not request.headers.get("HX-Request"):
        return redirect(_form_url(proposal))
    context = {
        "page_title": "Đọc tự động văn bản",
        "proposal": proposal,
        "job": proposal.job,
        "form_url": _form_url(proposal),
    }
    if request.headers.get("HX-Request"):
        response = render(request, "web/extraction/_live.html", context)
        if finished:
            response["HX-Redirect"] = _form_url(proposal)
        return response
    return render(request, "web/extraction/progress.html", context)
