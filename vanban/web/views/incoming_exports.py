"""Printing and exporting văn bản đến: the register for a period (Excel or PDF for
binding) and the receipt slip of one document. Thin: the rules are in
vanban.incoming.exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from vanban.core import errors
from vanban.incoming import exports, selectors
from vanban.web.views.register_exports import register_export_view

incoming_register_export = register_export_view(
    exports, template="web/incoming/export.html", page_title="In, xuất sổ đăng ký văn bản đến",
    register_label="Sổ văn bản đến",
)  # fmt: skip


@login_required
def incoming_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt slip as a PDF shown in the browser, ready to print."""
    try:
        doc = selectors.get_incoming_for(request.user, pk)
    except errors.NotFound:
        raise Http404 from None
    content = exports.print_receipt(actor=request.user, document=doc)
    response = HttpResponse(content, content_type=exports.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'inline; filename="giay-bien-nhan-van-ban-den-{doc.register.year}-{doc.arrival_number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
