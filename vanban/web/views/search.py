"""Search pages: the results of the top bar's box and of the advanced form, and the
administrators' page for text extraction and the index. Thin: rules are in vanban.search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.jobs.models import Job
from vanban.organisation.permissions import role_codes
from vanban.organisation.roles import Role
from vanban.search import services
from vanban.search.extraction_jobs import EXTRACT_KIND, REINDEX_KIND
from vanban.search.forms import SearchForm
from vanban.search.models import FileText, SearchEntry
from vanban.search.selectors import search


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        params = form.params()
        result = search(request.user, params)
        services.record_search(actor=request.user, params={k: str(v) for k, v in form.cleaned_data.items()},
                               total=result.total)  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    advanced = any(request.GET.get(f) for f in form.fields if f not in ("q", "page", "page_size", "sort"))
    return render(request, "web/search/search.html", {
        "form": form, "result": result, "query_string": query.urlencode(), "advanced": advanced,
        "nav_active": "search",
    })  # fmt: skip


def _ensure_sysadmin(request: HttpRequest) -> None:
    if Role.SYSTEM_ADMIN not in role_codes(request.user):
        raise DjangoPermissionDenied


@login_required
def search_admin(request: HttpRequest) -> HttpResponse:
    _ensure_sysadmin(request)
    by_state = dict(FileText.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    totals = FileText.objects.aggregate(pages=Sum("pages"), failed=Sum("pages_failed"))
    jobs = Job.objects.filter(kind__in=[EXTRACT_KIND, REINDEX_KIND]).order_by("-created_at")[:20]
    return render(request, "web/search/admin.html", {
        "entries": SearchEntry.objects.count(), "by_state": [(FileText.State(s).label, n) for s, n in by_state.items()],
        "ocr_copies": FileText.objects.exclude(ocr_file=None).count(), "totals": totals, "jobs": jobs,
        "failures": FileText.objects.filter(state__in=["failed", "partial"]).select_related("file")[:20],
        "nav_active": "search_admin",
    })  # fmt: skip


@login_required
@require_POST
def search_reindex(request: HttpRequest) -> HttpResponse:
    _ensure_sysadmin(request)
    job = services.start_reindex(actor=request.user, force=bool(request.POST.get("force")))
    return redirect("web:job_detail", pk=job.pk)
