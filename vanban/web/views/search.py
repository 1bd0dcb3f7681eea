"""Search pages: the results of the top bar's box and of the advanced form, and the
administrators' page for text extraction and the index. Thin: rules are in vanban.search."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vanban.core import errors
from vanban.jobs.models import Job
from vanban.organisation.permissions import role_codes
from vanban.organisation.roles import Role
from vanban.search import exports, saved, services
from vanban.search.extraction_jobs import EXTRACT_KIND, REINDEX_KIND
from vanban.search.forms import SearchForm
from vanban.search.models import FileText, SearchEntry
from vanban.search.selectors import count_matches, search


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        params = form.params()
        result = search(request.user, params)
        services.record_search(actor=request.user, params={k: str(v) for k, v in form.cleaned_data.items()},
                               total=result.total)  # fmt: skip
    return _results_page(request, form, result)


@login_required
def search_count(request: HttpRequest) -> HttpResponse:
    """The exact count behind «hơn N», fetched by the results page once it is shown."""
    form = SearchForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return HttpResponse(status=400)
    n = count_matches(request.user, form.params())
    return render(request, "web/search/_count.html", {"count": n})


def _results_page(request: HttpRequest, form: SearchForm, result: object, status: int = 200,
                  **extra: object) -> HttpResponse:  # fmt: skip
    # The question without the page: paging links and «Lưu tìm kiếm» / «Xuất Excel» carry it.
    question = {k: v for k, v in form.data.items() if k != "page" and v not in ("", None)}
    query_string = urlencode(question)
    advanced = any(form.data.get(f) for f in form.fields if f not in ("q", "page", "page_size", "sort"))
    saved_searches = [(s, saved.describe(s.params)) for s in saved.saved_searches_of(request.user)]
    return render(request, "web/search/search.html", {
        "form": form, "result": result, "query_string": query_string, "question": question,
        "advanced": advanced,
        "saved_searches": saved_searches, "nav_active": "search", **extra,
    }, status=status)  # fmt: skip


@login_required
def search_export(request: HttpRequest) -> HttpResponse:
    """Xuất Excel: every result of the question on screen the person may open."""
    try:
        export = exports.export_results(actor=request.user, params=request.GET.dict())
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('web:search')}?{request.GET.urlencode()}")
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type=exports.XLSX_CONTENT_TYPE)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _saved_or_404(request: HttpRequest, pk: int) -> object:
    try:
        return saved.get_saved_search_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    """«Lưu tìm kiếm»: the form posts the name and the question on screen."""
    params = {k: v for k, v in request.POST.items() if k in saved.SAVED_FIELDS}
    back = f"{reverse('web:search')}?{urlencode(params)}"
    try:
        item = saved.save_search(actor=request.user, name=request.POST.get("name", ""), params=params)
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"Đã lưu tìm kiếm «{item.name}».")
    return redirect(back)


@login_required
def saved_search_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a saved search again, with what the person may see now."""
    item = _saved_or_404(request, pk)
    form = saved.form_for(item, page=request.GET.get("page"))
    try:
        result = saved.run_saved_search(actor=request.user, saved=item, page=request.GET.get("page"))
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
        return _results_page(request, form, None, status=400, running=item)
    return _results_page(request, form, result, running=item)


@login_required
@require_POST
def saved_search_rename(request: HttpRequest, pk: int) -> HttpResponse:
    item = _saved_or_404(request, pk)
    before = item.name
    try:
        item = saved.rename_saved_search(actor=request.user, saved=item, name=request.POST.get("name", ""))
    except errors.VanbanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã đổi tên tìm kiếm «{before}» thành «{item.name}».")
    return redirect("web:search")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _saved_or_404(request, pk)
    saved.delete_saved_search(actor=request.user, saved=item)
    messages.success(request, f"Đã xóa tìm kiếm đã lưu «{item.name}».")
    return redirect("web:search")


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
