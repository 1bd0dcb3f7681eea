"""`vanban search reindex [--force]`: read every stored file not read yet (all with
--force), OCR'ing scans, then rewrite the whole index; progress is printed as it goes.
`vanban search rebuild`: rewrite the index from the documents only (no file reading).
`vanban search query "TEXT" --user USERNAME`: what that person's search box would show."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Tìm kiếm: trích xuất nội dung tệp, lập lại chỉ mục, thử truy vấn."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser("reindex", help="Trích xuất nội dung các tệp chưa đọc rồi lập lại chỉ mục")
        reindex.add_argument("--force", action="store_true", help="Đọc lại cả các tệp đã trích xuất")
        sub.add_parser("rebuild", help="Lập lại chỉ mục từ dữ liệu văn bản (không đọc tệp)")
        query = sub.add_parser("query", help="Tìm như ô tìm kiếm của một người dùng")
        query.add_argument("text")
        query.add_argument("--user", required=True)
        query.add_argument("--page", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        from vanban.search.extraction import extract_file
        from vanban.search.extraction_jobs import files_to_extract
        from vanban.search.services import rebuild_index

        if opts["action"] == "reindex":
            from vanban.documents.models import StoredFile

            ids = files_to_extract(force=opts["force"])
            for done, file_id in enumerate(ids, start=1):
                row = extract_file(actor=None, stored=StoredFile.objects.get(pk=file_id), force=opts["force"])
                self.stdout.write(f"[{done}/{len(ids)}] tệp {file_id}: {row.state} ({row.method}, {len(row.text)} ký tự)")
            self.stdout.write(f"Đã lập chỉ mục {rebuild_index()} văn bản.")
        elif opts["action"] == "rebuild":
            self.stdout.write(f"Đã lập chỉ mục {rebuild_index()} văn bản.")
        else:
            from django.contrib.auth import get_user_model

            from vanban.search.selectors import SearchParams, search

            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError("Không tìm thấy tài khoản.")
            result = search(user, SearchParams(q=opts["text"], page=opts["page"]))
            self.stdout.write(json.dumps({"total": result.total, "hits": [
                {"kind": h.entry.kind, "id": h.entry.incoming_id or h.entry.outgoing_id,
                 "number_symbol": h.entry.number_symbol, "subject": h.entry.subject} for h in result.hits]},
                ensure_ascii=False))  # fmt: skip
