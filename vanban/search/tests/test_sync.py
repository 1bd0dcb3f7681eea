"""Changes that bypass a document's save keep the index right in their own transaction,
without `vanban search rebuild`: bulk updates of indexed fields (with `sync.refresh_*`)
and renamed organs, document types, units and signers."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from vanban.documents.tests.docs_world import World
from vanban.incoming.models import IncomingDocument
from vanban.outgoing.tests.conftest import Desk, desk  # noqa: F401
from vanban.search import sync
from vanban.search.selectors import SearchParams, search

pytestmark = pytest.mark.django_db


def _ids(user: Any, **params: Any) -> set[str]:
    result = search(user, SearchParams(page_size=100, **params))
    return {f"{h.entry.kind}-{h.entry.incoming_id or h.entry.outgoing_id}" for h in result.hits}


def test_a_bulk_status_update_with_refresh_is_seen_by_the_status_filter(world: World, incoming: Any) -> None:
    docs = [incoming(subject=f"Giấy mời họp giao ban tuần {i}") for i in range(3)]
    ids = [d.pk for d in docs[:2]]
    IncomingDocument.objects.filter(pk__in=ids).update(status=IncomingDocument.Status.COMPLETED)
    # What the update alone leaves behind: the filter still says "registered".
    assert _ids(world.ministry_clerk, status="completed") == set()
    assert sync.refresh_incoming(ids) == 2
    assert _ids(world.ministry_clerk, status="completed") == {f"incoming-{i}" for i in ids}
    assert _ids(world.ministry_clerk, status="registered", q="giay moi") == {f"incoming-{docs[2].pk}"}


def test_a_renamed_signer_is_found_by_the_new_name_and_the_signer_filter(world: World, desk: Desk) -> None:  # noqa: F811
    from vanban.accounts.services import update_account

    doc = desk.draft(subject="V/v tăng cường quản lý thị trường dịp cuối năm")
    leader = desk.signer
    old_name = leader.full_name
    assert _ids(leader, signer=old_name) == {f"outgoing-{doc.pk}"}
    update_account(actor=world.sysadmin, user=leader, full_name="Trần Quốc Bảo", email=leader.email)
    assert _ids(leader, signer="tran quoc bao") == {f"outgoing-{doc.pk}"}
    assert _ids(leader, q="Trần Quốc Bảo") == {f"outgoing-{doc.pk}"}
    assert _ids(leader, signer=old_name) == set()


def test_a_renamed_unit_organ_and_document_type_are_found_by_their_new_names(
    world: World, desk: Desk, incoming: Any  # noqa: F811
) -> None:
    from vanban.organisation.services import rename_unit

    out = desk.draft(subject="V/v góp ý dự thảo thông tư")
    inc = incoming(subject="V/v đề nghị cung cấp số liệu", issuing_organ_name="Sở Công Thương Hà Tĩnh")
    drafting_unit = out.drafting_unit
    rename_unit(actor=world.sysadmin, unit=drafting_unit, name="Phòng Chính sách xuất khẩu")
    assert _ids(world.specialist, q="chinh sach xuat khau") == {f"outgoing-{out.pk}"}
    organ = inc.issuing_organ
    organ.name = "Sở Công Thương tỉnh Hà Tĩnh mới"  # e.g. corrected in the administration pages
    organ.save()
    assert _ids(world.ministry_clerk, q="ha tinh moi") == {f"incoming-{inc.pk}"}
    doc_type = inc.document_type
    doc_type.name = "Công văn hành chính"
    doc_type.save(update_fields=["name"])
    assert f"incoming-{inc.pk}" in _ids(world.ministry_clerk, q="cong van hanh chinh")
    # Saves that cannot change a name cost no rewrite.
    assert sync.refresh_for_renamed(organ) == 0


def test_a_login_does_not_rewrite_the_signers_entries(world: World, desk: Desk,  # noqa: F811
                                                     django_assert_max_num_queries: Any) -> None:  # fmt: skip
    from vanban.search.models import SearchEntry

    desk.draft()
    before = SearchEntry.objects.values_list("indexed_at", flat=True).get()
    leader = desk.signer
    with django_assert_max_num_queries(1):
        leader.save(update_fields=["last_login"])
    assert SearchEntry.objects.values_list("indexed_at", flat=True).get() == before


VANBAN = Path(__file__).resolve().parents[2]


def _updates_of_indexed_fields(root: Path = VANBAN) -> list[str]:
    """`<...IncomingDocument/OutgoingDocument...>.update(field=...)` and bulk_update calls
    under `root` touching an indexed field, in functions that do not call sync.refresh_*."""
    found = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts or "e2e" in parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "IncomingDocument" not in source and "OutgoingDocument" not in source:
            continue
        tree = ast.parse(source)
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            calls = [n for n in ast.walk(func) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
            refreshes = any(c.func.attr in ("refresh_incoming", "refresh_outgoing") for c in calls)
            for call in calls:
                receiver = ast.get_source_segment(source, call.func.value) or ""
                if call.func.attr == "update":
                    fields = {k.arg for k in call.keywords if k.arg}
                elif call.func.attr == "bulk_update" and len(call.args) > 1:
                    fields = {e.value for e in getattr(call.args[1], "elts", []) if isinstance(e, ast.Constant)}
                else:
                    continue
                indexed = set()
                if "IncomingDocument" in receiver:
                    indexed = fields & sync.INDEXED_INCOMING_FIELDS
                elif "OutgoingDocument" in receiver:
                    indexed = fields & sync.INDEXED_OUTGOING_FIELDS
                if indexed and not refreshes:
                    found.append(f"{path.relative_to(root.parent)}:{call.lineno} {sorted(indexed)}")
    return found


def test_every_bulk_update_of_indexed_document_fields_refreshes_the_index() -> None:
    assert _updates_of_indexed_fields() == []


def test_the_guard_notices_an_unpaired_update(tmp_path: Path) -> None:
    # The guard itself must be able to fail: one offending module, one paired, one harmless.
    app = tmp_path / "vanban" / "sample"
    app.mkdir(parents=True)
    head = "from vanban.incoming.models import IncomingDocument\n\n\n"
    (app / "bad.py").write_text(
        head + "def close_all(ids):\n    IncomingDocument.objects.filter(pk__in=ids).update(status='completed')\n",
        encoding="utf-8",
    )
    (app / "good.py").write_text(
        head + "def close_all(ids):\n    IncomingDocument.objects.filter(pk__in=ids).update(status='completed')\n"
        "    sync.refresh_incoming(ids)\n",
        encoding="utf-8",
    )
    (app / "harmless.py").write_text(
        head + "def link(pk, other):\n    IncomingDocument.objects.filter(pk=pk).update(relates_to=other)\n",
        encoding="utf-8",
    )
    assert _updates_of_indexed_fields(tmp_path / "vanban") == ["vanban/sample/bad.py:5 ['status']"]
