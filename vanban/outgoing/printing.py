"""The Sổ đăng ký văn bản đi (ND30 App IV) as a PDF for binding: the shared register
layout (`documents.register_printing`: cover, ruled table on landscape A4 with the
headings repeated on every page, page numbers) filled with outgoing rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from vanban.core.pdf import FONT, FONT_BOLD
from vanban.documents import register_printing
from vanban.documents.register_exports import RegisterSheet
from vanban.documents.register_printing import Fit, Lines
from vanban.outgoing.exports import BOOK, RegisterRow


def _date(value: object) -> Lines:
    return [(FONT, f"{value:%d/%m/%Y}")] if value else []


def _cells(row: RegisterRow, fit: Fit) -> list[Lines]:
    return [
        fit(row.number_symbol, 0),
        _date(row.issued_date),
        fit(row.type_name, 2, FONT_BOLD) + fit(row.subject, 2),
        fit(row.signer, 3) + fit(row.signer_position, 3),
        fit(row.recipients, 4),
        fit(row.kept_by, 5),
        [(FONT, str(row.copies))] if row.copies else [],
        _date(row.transferred_on),
        [],
        fit(row.note, 9),
    ]


def build_register_pdf(sheet: RegisterSheet, rows: Iterable[RegisterRow]) -> IO[bytes]:
    """The Sổ đăng ký văn bản đi for binding (cover, then the App IV table)."""
    return register_printing.build_register_pdf(BOOK, sheet, rows, _cells)
