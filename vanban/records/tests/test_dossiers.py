"""Files: opened from the published plan, documents filed, ordered and removed while
open, closed (never empty) and then immutable until a leader reopens them with a reason;
retention report, legal hold, disposal."""

from __future__ import annotations

import datetime as dt

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vanban.documents.tests.docs_world import pdf_bytes
from vanban.records import selectors, services
from vanban.records.models import Dossier, DossierItem
from vanban.records.tests.conftest import Shelf

pytestmark = pytest.mark.django_db


def test_files_open_only_from_a_published_plan(shelf: Shelf) -> None:
    plan = shelf.plan(publish=False)
    with pytest.raises(Conflict) as err:
        services.open_dossier(actor=shelf.world.unit_clerk, entry=shelf.entry(plan))
    assert err.value.code == "plan_not_published"


def test_open_dossier_takes_record_fields_from_the_plan(shelf: Shelf) -> None:
    w = shelf.world
    plan = shelf.plan()
    dossier = services.open_dossier(actor=w.unit_clerk, entry=shelf.entry(plan))
    assert dossier.code == f"{w.organ.organ_id}.2026.01.XNK"
    assert (dossier.title, dossier.retention_label, dossier.unit, dossier.creator) == (
        "Hồ sơ điều hành xuất khẩu gạo số 1", "10 năm", w.dept, w.specialist)
    assert (dossier.rights, dossier.language, dossier.state) == ("Công khai", "Tiếng Việt", Dossier.State.OPEN)
    with pytest.raises(Conflict):
        services.open_dossier(actor=w.unit_clerk, entry=shelf.entry(plan))
    # A clerk of another unit manages none of this unit's files.
    with pytest.raises(PermissionDenied):
        services.open_dossier(actor=w.other_clerk, entry=shelf.entry(plan, "02.XNK"))


def test_filing_ordering_removing_while_open(shelf: Shelf) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=3)
    items = list(dossier.items.all())
    assert [i.position for i in items] == [1, 2, 3]
    with pytest.raises(Conflict) as err:
        services.file_document(actor=w.unit_clerk, dossier=dossier, incoming=items[0].incoming)
    assert err.value.code == "already_filed"
    material = services.add_material(actor=w.unit_clerk, dossier=dossier, title="Ảnh hiện trường kiểm tra kho",
                                     name="anh.pdf", data=pdf_bytes(3, "material"))  # fmt: skip
    assert material.position == 4 and material.kind == DossierItem.Kind.MATERIAL
    services.move_item(actor=w.unit_clerk, item=material, position=1)
    assert list(dossier.items.values_list("pk", flat=True)) == [material.pk] + [i.pk for i in items]
    services.remove_item(actor=w.unit_clerk, item=items[1])
    assert list(dossier.items.values_list("position", flat=True)) == [1, 2, 3]
    with pytest.raises(ValidationFailed):
        services.move_item(actor=w.unit_clerk, item=material, position=9)
    # The person the file is for files into it too (what they may read); another unit's clerk does not.
    with pytest.raises(NotFound):
        services.file_document(actor=w.specialist, dossier=dossier, incoming=items[1].incoming)
    services.add_material(actor=w.specialist, dossier=dossier, title="Ghi chép", name="gc.pdf", data=pdf_bytes(1, "gc"))
    with pytest.raises(PermissionDenied):
        services.remove_item(actor=w.other_clerk, item=material)


def test_a_document_the_actor_cannot_read_is_not_filed(shelf: Shelf) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=0)
    hidden = shelf.register_doc(w.other_clerk, files=[("x.pdf", pdf_bytes(1, "hidden"))], code_number="9",
                                confirm_duplicate=True)  # fmt: skip
    with pytest.raises(NotFound):
        services.file_document(actor=w.unit_clerk, dossier=dossier, incoming=hidden)
    assert not dossier.items.exists()


def test_one_document_sits_in_several_files_without_copying(shelf: Shelf) -> None:
    w = shelf.world
    plan = shelf.plan()
    a = shelf.dossier_with_docs(plan, "01.XNK", docs=1)
    b = services.open_dossier(actor=w.unit_clerk, entry=shelf.entry(plan, "02.XNK"))
    doc = a.items.get().incoming
    services.file_document(actor=w.unit_clerk, dossier=b, incoming=doc)
    assert b.items.get().incoming_id == doc.pk


def test_closing_an_empty_file_is_refused(shelf: Shelf) -> None:
    dossier = shelf.dossier_with_docs(docs=0)
    with pytest.raises(ValidationFailed) as err:
        services.close_dossier(actor=shelf.world.unit_clerk, dossier=dossier)
    assert (err.value.code, err.value.message) == ("dossier_empty", "Không thể đóng hồ sơ chưa có văn bản nào.")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.OPEN


def test_closed_file_counts_pages_from_the_pdfs_and_is_immutable(shelf: Shelf) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=2)  # 1 + 2 pages
    services.add_material(actor=w.unit_clerk, dossier=dossier, title="Biên bản họp", name="bb.pdf",
                          data=pdf_bytes(4, "bb"))  # fmt: skip
    closed = services.close_dossier(actor=w.unit_clerk, dossier=dossier)
    assert (closed.state, closed.doc_total, closed.page_total) == (Dossier.State.CLOSED, 3, 7)
    assert closed.end_date is not None and closed.start_date <= closed.end_date
    item = closed.items.first()
    extra = shelf.incoming("late")
    for attempt in (
        lambda: services.file_document(actor=w.unit_clerk, dossier=closed, incoming=extra),
        lambda: services.move_item(actor=w.unit_clerk, item=item, position=2),
        lambda: services.remove_item(actor=w.unit_clerk, item=item),
        lambda: services.update_dossier(actor=w.unit_clerk, dossier=closed, changes={"title": "Khác"}),
        lambda: services.close_dossier(actor=w.unit_clerk, dossier=closed),
    ):
        with pytest.raises(Conflict) as err:
            attempt()
        assert err.value.code == "dossier_not_open"
        assert "mở lại" in err.value.message


def test_reopening_needs_a_leader_and_a_reason_and_is_recorded(shelf: Shelf) -> None:
    w = shelf.world
    dossier = services.close_dossier(actor=w.unit_clerk, dossier=shelf.dossier_with_docs(docs=1))
    with pytest.raises(PermissionDenied):
        services.reopen_dossier(actor=w.unit_clerk, dossier=dossier, reason="Bổ sung văn bản")
    with pytest.raises(ValidationFailed):
        services.reopen_dossier(actor=w.leader, dossier=dossier, reason="  ")
    services.reopen_dossier(actor=w.leader, dossier=dossier, reason="Bổ sung văn bản đến muộn")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.OPEN
    assert [(r.by, r.reason) for r in dossier.reopenings.all()] == [(w.leader, "Bổ sung văn bản đến muộn")]
    event = AuditEvent.objects.get(action="records.dossier_reopened")
    assert event.data["reason"] == "Bổ sung văn bản đến muộn"
    services.file_document(actor=w.unit_clerk, dossier=dossier, incoming=shelf.incoming("late"))


def test_record_fields_are_edited_while_open_with_checked_retention(shelf: Shelf) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=1)
    services.update_dossier(actor=w.unit_clerk, dossier=dossier, changes={
        "keywords": "xuất khẩu; gạo", "info_symbol": "XK", "physical_state": "Tốt", "retention": "Vĩnh viễn"})
    dossier.refresh_from_db()
    assert (dossier.keywords, dossier.retention_label) == ("xuất khẩu; gạo", "Vĩnh viễn")
    with pytest.raises(ValidationFailed) as err:
        services.update_dossier(actor=w.unit_clerk, dossier=dossier, changes={"title": "Mới", "retention": "mãi mãi"})
    assert err.value.code == "retention_invalid"
    dossier.refresh_from_db()
    assert dossier.title != "Mới"


def test_retention_report_due_dates_and_legal_hold(shelf: Shelf) -> None:
    w = shelf.world
    plan = shelf.plan()
    ten = shelf.dossier_with_docs(plan, "01.XNK", docs=1)
    services.update_dossier(actor=w.unit_clerk, dossier=ten, changes={"start_date": dt.date(2026, 1, 5),
                                                                     "end_date": dt.date(2026, 3, 31)})
    services.close_dossier(actor=w.unit_clerk, dossier=ten)
    forever = services.close_dossier(actor=w.unit_clerk, dossier=shelf.dossier_with_docs(plan, "02.XNK", docs=1))
    rows = {r["dossier"].pk: r for r in selectors.retention_report(w.ministry_clerk, on=dt.date(2027, 6, 1))}
    assert rows[ten.pk]["transfer_due"] == dt.date(2027, 3, 31) and rows[ten.pk]["transfer_overdue"]
    assert rows[ten.pk]["appraisal_due"] == dt.date(2036, 3, 31) and not rows[ten.pk]["appraisal_reached"]
    assert rows[forever.pk]["appraisal_due"] is None and rows[forever.pk]["disposal_blocked"]
    # The other unit's clerk sees none of these files: the report is filtered in SQL.
    assert selectors.retention_report(w.other_clerk) == []

    with pytest.raises(PermissionDenied):
        services.set_legal_hold(actor=w.unit_clerk, dossier=ten, hold=True, reason="Thanh tra")
    services.set_legal_hold(actor=w.ministry_clerk, dossier=ten, hold=True, reason="Phục vụ thanh tra 2036")
    ten.refresh_from_db()
    assert ten.legal_hold
    row = next(r for r in selectors.retention_report(w.ministry_clerk, on=dt.date(2037, 1, 1)) if r["dossier"] == ten)
    assert row["appraisal_reached"] and row["disposal_blocked"]


def test_legal_hold_blocks_disposal(shelf: Shelf, monkeypatch: pytest.MonkeyPatch) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=1)
    services.update_dossier(actor=w.unit_clerk, dossier=dossier, changes={"start_date": dt.date(2000, 1, 1),
                                                                         "end_date": dt.date(2001, 1, 1)})
    services.close_dossier(actor=w.unit_clerk, dossier=dossier)
    services.set_legal_hold(actor=shelf.leader, dossier=dossier, hold=True, reason="Vụ án đang điều tra")
    with pytest.raises(Conflict) as err:
        services.dispose_dossier(actor=shelf.leader, dossier=dossier, reason="Hết hạn")
    assert err.value.code == "legal_hold"
    services.set_legal_hold(actor=shelf.leader, dossier=dossier, hold=False, reason="Đã kết thúc điều tra")
    services.dispose_dossier(actor=shelf.leader, dossier=dossier, reason="Hết thời hạn bảo quản")
    assert AuditEvent.objects.filter(action="records.dossier_disposal_approved").count() == 1
    assert list(AuditEvent.objects.filter(action__startswith="records.legal_hold").order_by("pk").values_list("action", flat=True)) \
        == ["records.legal_hold_set", "records.legal_hold_released"]


def test_reads_are_filtered_by_unit(shelf: Shelf) -> None:
    w = shelf.world
    dossier = shelf.dossier_with_docs(docs=1)
    for user in (w.unit_clerk, w.specialist, w.leader, w.ministry_clerk, shelf.leader):
        assert list(selectors.dossiers_visible_to(user)) == [dossier], user
    for user in (w.other_clerk, w.sysadmin):
        assert not selectors.dossiers_visible_to(user).exists()
        with pytest.raises(NotFound):
            selectors.get_dossier_for(user, dossier.pk)


def test_clerks_are_reminded_once_of_files_due_for_transfer(shelf: Shelf) -> None:
    from django.core.management import call_command

    from vanban.notifications.models import Notification
    from vanban.records.reminders import remind_transfers_due

    w = shelf.world
    plan = shelf.plan()
    due = shelf.dossier_with_docs(plan, "01.XNK", docs=1)
    services.update_dossier(actor=w.unit_clerk, dossier=due, changes={"start_date": dt.date(2025, 1, 2),
                                                                      "end_date": dt.date(2025, 12, 15)})
    services.close_dossier(actor=w.unit_clerk, dossier=due)
    services.close_dossier(actor=w.unit_clerk, dossier=shelf.dossier_with_docs(plan, "02.XNK", docs=1))  # ends today
    assert remind_transfers_due(on=dt.date(2026, 11, 20)) == 1
    notes = Notification.objects.filter(kind="records.transfer_due")
    assert {n.recipient for n in notes} == {w.unit_clerk, w.ministry_clerk}
    assert "15/12/2026" in notes.first().title
    call_command("records", "remind")  # the same file is not announced twice
    assert notes.count() == 2


def test_a_closed_file_keeps_the_fields_and_files_it_was_closed_with(shelf: Shelf) -> None:
    from vanban.incoming.models import IncomingDocument
    from vanban.records import package

    w = shelf.world
    dossier = services.close_dossier(actor=w.unit_clerk, dossier=shelf.dossier_with_docs(docs=2))
    before = package.dossier_metadata(dossier)
    doc = dossier.items.first().incoming
    # A later change to the document itself (e.g. the undo of a text conversion) ...
    IncomingDocument.objects.filter(pk=doc.pk).update(subject="Trích yếu đã sửa sau khi đóng hồ sơ")
    doc.files.all().delete()
    # ... does not reach the closed file.
    assert package.dossier_metadata(Dossier.objects.get(pk=dossier.pk)) == before
    assert before["Documents"][0]["Subject"] != "Trích yếu đã sửa sau khi đóng hồ sơ"
    assert [len(d["Files"]) for d in before["Documents"]] == [1, 1]
    # Reopened, the file follows its documents again until it is closed anew.
    services.reopen_dossier(actor=w.leader, dossier=dossier, reason="Cập nhật")
    assert package.dossier_metadata(Dossier.objects.get(pk=dossier.pk))["Documents"][0]["Subject"] == \
        "Trích yếu đã sửa sau khi đóng hồ sơ"
