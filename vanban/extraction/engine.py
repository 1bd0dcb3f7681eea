"""`extract(path)`: the proposal for a file, as the CLI, the job and the API return it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vanban.extraction.layout import read_first_page
from vanban.extraction.rules import FIELDS, TypeEntry, propose


def builtin_types() -> list[TypeEntry]:
    from vanban.documents.catalogue import BUILTIN_TYPES, TypeGroup

    return [TypeEntry(t.name, t.abbreviation, t.group == TypeGroup.LEGAL) for t in BUILTIN_TYPES if not t.is_forbidden]


def catalogue_types() -> list[TypeEntry]:
    """The active document types of this installation (administrators add their own);
    the built-in ND30 list when the table cannot be read."""
    try:
        from vanban.documents.catalogue import TypeGroup
        from vanban.documents.models import DocumentType

        rows = list(DocumentType.objects.filter(is_active=True).values_list("name", "abbreviation", "group"))
    except Exception:  # no database (a script importing the engine alone)
        rows = []
    if not rows:
        return builtin_types()
    return [TypeEntry(name, abbr, group == TypeGroup.LEGAL) for name, abbr, group in rows]


def extract(path: Path | str, *, types: Sequence[TypeEntry] | None = None) -> dict[str, Any]:
    """The proposed fields (FIELDS, None where unknown)."""
    page = read_first_page(Path(path))
    result = propose(page, types if types is not None else catalogue_types())
    return {key: result.get(key) for key in FIELDS}


def extract_with_meta(
    path: Path | str, *, types: Sequence[TypeEntry] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    started = time.perf_counter()
    page = read_first_page(Path(path))
    result = propose(page, types if types is not None else catalogue_types())
    meta = {"source": page.source, "seconds": round(time.perf_counter() - started, 3)}
    return {key: result.get(key) for key in FIELDS}, meta
