"""Printing and exporting the Sổ đăng ký văn bản đi for a period (Excel or PDF for
binding). Thin: the rules are in vanban.outgoing.exports, the page is the one the
incoming register uses (vanban.web.views.register_exports)."""

from __future__ import annotations

from vanban.outgoing import exports
from vanban.web.views.register_exports import register_export_view

outgoing_register_export = register_export_view(
    exports, template="web/outgoing/export.html", page_title="In, xuất sổ đăng ký văn bản đi",
    register_label="Sổ văn bản đi",
)  # fmt: skip
