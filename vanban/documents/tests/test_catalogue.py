"""The catalogues every installation has (ND30 App III types, urgency, secrecy, receipt
methods), the refusal of what may not enter the system, the system administrator's
changes to the type catalogue, and the directory of outside organs."""

from __future__ import annotations

import importlib

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.documents import selectors, services
from vanban.documents.catalogue import (
    BUILTIN_TYPES,
    ReceiptMethod,
    Secrecy,
    TypeGroup,
    Urgency,
    ensure_admissible,
    urgency_rank,
)
from vanban.documents.errors import CatalogueError, DocumentError
from vanban.documents.models import DocumentType
from vanban.documents.signals import ensure_builtin_document_types
from vanban.documents.tests import docs_world
from vanban.organisation.models import Organ

pytestmark = pytest.mark.django_db
world = docs_world.world

# domain.md §4.3, as ND30 App III prints them.
ND30_APP_III = {
    "Nghị quyết (cá biệt)": "NQ",
    "Quyết định (cá biệt)": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công văn": "",
    "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Giấy nghỉ phép": "GNP",
    "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC",
    "Phiếu báo": "PB",
    "Thư công": "",
}


# --- The built-in catalogue --------------------------------------------------------------


def test_every_installation_has_the_29_administrative_types_with_their_abbreviations_as_written():
    administrative = selectors.document_types(group=TypeGroup.ADMINISTRATIVE)
    assert {t.name: t.abbreviation for t in administrative} == ND30_APP_III
    assert len(ND30_APP_III) == 29
    assert [t.name for t in administrative][:3] == ["Nghị quyết (cá biệt)", "Quyết định (cá biệt)", "Chỉ thị"]
    assert all(t.is_builtin and t.is_active and not t.is_forbidden for t in administrative)
    # Mixed case is kept: the decree spells them so.
    assert DocumentType.objects.get(code="quy-dinh").abbreviation == "QyĐ"
    assert DocumentType.objects.get(code="to-trinh").abbreviation == "TTr"
    # Obsolete or wrong abbreviations are nowhere.
    assert not DocumentType.objects.filter(abbreviation__in=["CV", "ThC", "GN", "TTh", "UQ", "NP"]).exists()


def test_incoming_normative_types_and_copy_forms_are_in_the_open_catalogue():
    legal = {t.name: t.abbreviation for t in selectors.document_types(group=TypeGroup.LEGAL)}
    assert {
        "Luật",
        "Nghị định",
        "Thông tư",
        "Quyết định (quy phạm pháp luật)",
        "Nghị quyết (quy phạm pháp luật)",
    } <= set(legal)
    assert legal["Nghị định"] == "NĐ" and legal["Luật"] == ""
    copies = {t.name: t.abbreviation for t in selectors.document_types(group=TypeGroup.COPY)}
    assert copies == {"Bản sao y": "SY", "Bản trích sao": "TrS", "Bản sao lục": "SL"}
    forbidden = DocumentType.objects.get(code="don-thu-to-cao")
    assert forbidden.is_forbidden and forbidden.name == "Đơn thư tố cáo"


def test_the_data_migration_loads_exactly_the_catalogue_module():
    migration = importlib.import_module("vanban.documents.migrations.0002_document_types")
    frozen = [tuple(row) for row in migration.TYPES]
    live = [(t.code, t.name, t.abbreviation, str(t.group), t.is_forbidden) for t in BUILTIN_TYPES]
    assert frozen == live
    stored = list(DocumentType.objects.filter(is_builtin=True).order_by("sort_order").values_list("code", flat=True))
    assert stored == [t.code for t in BUILTIN_TYPES]


def test_the_builtin_catalogue_comes_back_after_a_flush_but_keeps_an_administrators_choices(world):
    services.deactivate_document_type(actor=world.sysadmin, document_type=DocumentType.objects.get(code="phieu-bao"))
    DocumentType.objects.filter(code__in=["cong-van", "luat"]).delete()  # what a flush does to every row
    assert ensure_builtin_document_types() == 2
    assert DocumentType.objects.get(code="cong-van").is_active
    assert not DocumentType.objects.get(code="phieu-bao").is_active
    assert ensure_builtin_document_types() == 0


def test_the_closed_enums_carry_the_vietnamese_labels():
    assert Urgency.labels == ["Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc"]
    assert [urgency_rank(u) for u in Urgency.values] == [0, 1, 2, 3]
    assert Secrecy.labels == ["Không mật", "Mật", "Tối mật", "Tuyệt mật"]
    assert ReceiptMethod.labels == ["Giấy (bưu chính)", "Thư điện tử", "Trục liên thông (điện tử)", "Trực tiếp", "Fax",
                                    "Nội bộ trên hệ thống (điện tử)"]


def test_type_names_and_abbreviations_are_found_as_clerks_and_partners_write_them():
    assert selectors.find_document_type("Quyết định").code == "quyet-dinh-ca-biet"
    assert selectors.find_document_type("QUYET DINH (quy pham phap luat)").code == "quyet-dinh-qppl"
    assert selectors.find_document_type("công  văn").code == "cong-van"
    assert selectors.find_document_type("Nghị định").code == "nghi-dinh"
    assert selectors.find_document_type("Thư tình") is None
    assert selectors.find_document_type("  ") is None
    assert selectors.find_document_type_by_abbreviation("QYĐ").code == "quy-dinh"
    assert selectors.find_document_type_by_abbreviation("ttr").code == "to-trinh"
    assert selectors.find_document_type_by_abbreviation("NĐ", group=TypeGroup.LEGAL).code == "nghi-dinh"
    assert selectors.find_document_type_by_abbreviation("") is None


# --- What may not enter ----------------------------------------------------------------


def test_a_document_that_is_not_secret_is_admissible():
    ensure_admissible(secrecy=Secrecy.NONE, document_type=DocumentType.objects.get(code="cong-van"))
    ensure_admissible(secrecy=Secrecy.NONE)


@pytest.mark.parametrize(("secrecy", "label"), [("mat", "Mật"), ("toi_mat", "Tối mật"), ("tuyet_mat", "Tuyệt mật")])
def test_a_secret_document_is_refused_with_the_rule_explained(secrecy, label):
    with pytest.raises(DocumentError) as caught:
        ensure_admissible(secrecy=secrecy)
    error = caught.value
    assert (error.code, error.field) == ("secret_document", "secrecy")
    assert f"«{label}»" in error.message
    assert "không được đưa vào hệ thống" in error.message and "29/2018/QH14" in error.message


def test_a_denunciation_letter_is_refused_and_an_unknown_secrecy_is_invalid():
    with pytest.raises(DocumentError) as caught:
        ensure_admissible(secrecy=Secrecy.NONE, document_type=DocumentType.objects.get(code="don-thu-to-cao"))
    assert (caught.value.code, caught.value.field) == ("forbidden_kind", "document_type")
    assert "Đơn thư tố cáo" in caught.value.message
    with pytest.raises(DocumentError) as caught:
        ensure_admissible(secrecy="confidential")
    assert caught.value.code == "invalid_secrecy"


# --- The administrator extends the catalogue --------------------------------------------


def test_the_system_administrator_adds_a_type_with_its_abbreviation_as_written(world):
    added = services.create_document_type(
        actor=world.sysadmin, name="  Thông  tư liên bộ ", abbreviation="TTLB", group=TypeGroup.LEGAL
    )
    assert (added.name, added.abbreviation, added.group, added.is_builtin) == (
        "Thông tư liên bộ",
        "TTLB",
        "legal",
        False,
    )
    assert added.code == "thong-tu-lien-bo"
    event = AuditEvent.objects.get(action="document_type.created")
    assert event.actor == world.sysadmin and event.data["after"]["abbreviation"] == "TTLB"
    mixed = services.create_document_type(actor=world.sysadmin, name="Tờ trình liên ngành", abbreviation="TTrLN")
    assert mixed.abbreviation == "TTrLN"


@pytest.mark.parametrize("who", ["unit_admin", "ministry_clerk", "unit_clerk", "specialist"])
def test_only_the_system_administrator_changes_the_catalogue(world, who):
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.create_document_type(actor=actor, name="Loại mới")
    with pytest.raises(PermissionDenied):
        services.deactivate_document_type(actor=actor, document_type=DocumentType.objects.get(code="cong-van"))
    assert not DocumentType.objects.filter(name="Loại mới").exists()
    assert DocumentType.objects.get(code="cong-van").is_active


@pytest.mark.parametrize(
    ("name", "abbreviation", "code", "field"),
    [
        ("", "", "required", "name"),
        ("x" * 101, "", "too_long", "name"),
        ("công văn", "", "duplicate_document_type", "name"),
        ("Loại mới", "Q Đ", "invalid_abbreviation", "abbreviation"),
        ("Loại mới", "QĐ-BCT", "invalid_abbreviation", "abbreviation"),
        ("Loại mới", "A/B", "invalid_abbreviation", "abbreviation"),
    ],
)
def test_a_bad_type_is_refused_beside_its_field(world, name, abbreviation, code, field):
    with pytest.raises(CatalogueError) as caught:
        services.create_document_type(actor=world.sysadmin, name=name, abbreviation=abbreviation)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_a_type_is_deactivated_and_reactivated_never_deleted(world):
    phieu_bao = DocumentType.objects.get(code="phieu-bao")
    services.deactivate_document_type(actor=world.sysadmin, document_type=phieu_bao)
    assert phieu_bao not in selectors.document_types()
    assert phieu_bao in selectors.document_types(include_inactive=True)
    with pytest.raises(CatalogueError) as caught:
        services.deactivate_document_type(actor=world.sysadmin, document_type=phieu_bao)
    assert caught.value.code == "already_inactive"
    services.reactivate_document_type(actor=world.sysadmin, document_type=phieu_bao)
    assert phieu_bao in selectors.document_types()
    with pytest.raises(CatalogueError) as caught:
        services.reactivate_document_type(actor=world.sysadmin, document_type=phieu_bao)
    assert caught.value.code == "already_active"
    events = AuditEvent.objects.filter(target_type="documents.documenttype", target_id=str(phieu_bao.pk))
    actions = list(events.order_by("pk").values_list("action", flat=True))
    assert actions == ["document_type.deactivated", "document_type.reactivated"]


# --- Outside organs --------------------------------------------------------------------------


def test_a_clerk_adds_a_typed_organ_to_the_directory_and_finds_it_again(world):
    organ, created = services.find_or_create_external_organ(
        actor=world.unit_clerk, name="Ủy ban nhân dân  tỉnh Nghệ An", short_name="UBND Nghệ An"
    )
    assert created and (organ.name, organ.organ_id, organ.is_own) == ("Ủy ban nhân dân tỉnh Nghệ An", None, False)
    event = AuditEvent.objects.get(action="organ.created", target_type="organisation.organ", target_id=str(organ.pk))
    assert event.actor == world.unit_clerk and event.data["after"]["external"] is True
    for spelling in ["ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "uy ban nhan dan tinh nghe an", " Ủy ban nhân dân tỉnh Nghệ An "]:
        again, created = services.find_or_create_external_organ(actor=world.ministry_clerk, name=spelling)
        assert (again.pk, created) == (organ.pk, False)


def test_organs_without_an_id_may_be_many_and_an_id_given_later_is_kept(world):
    a, _ = services.find_or_create_external_organ(actor=world.unit_clerk, name="Công ty Cổ phần Thép Việt")
    b, _ = services.find_or_create_external_organ(actor=world.unit_clerk, name="Sở Công Thương tỉnh Hà Tĩnh")
    assert a.organ_id is None and b.organ_id is None  # NULL, so the unique constraint allows both
    same, created = services.find_or_create_external_organ(
        actor=world.unit_clerk, name="Sở Công Thương tỉnh Hà Tĩnh", organ_id="000.12.30.h42"
    )
    assert (same.pk, created, same.organ_id) == (b.pk, False, "000.12.30.H42")
    assert AuditEvent.objects.filter(action="organ.updated", target_id=str(b.pk)).exists()
    by_id, created = services.find_or_create_external_organ(
        actor=world.unit_clerk, name="Sở CT Hà Tĩnh (tên khác)", organ_id="000.12.30.H42"
    )
    assert (by_id.pk, created) == (b.pk, False)


def test_the_ministry_itself_is_found_by_its_organ_id(world):
    found, created = services.find_or_create_external_organ(
        actor=world.ministry_clerk, name="Bộ Công Thương", organ_id="000.00.00.G02"
    )
    assert (found.pk, created) == (world.organ.pk, False)


@pytest.mark.parametrize(
    ("name", "organ_id", "code", "field"),
    [
        ("", "", "required", "organ_name"),
        ("x" * 201, "", "too_long", "organ_name"),
        ("Văn phòng Chính phủ", "G22", "invalid_organ_id", "organ_id"),
    ],
)
def test_a_bad_organ_is_refused(world, name, organ_id, code, field):
    with pytest.raises(CatalogueError) as caught:
        services.find_or_create_external_organ(actor=world.unit_clerk, name=name, organ_id=organ_id)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_people_who_register_nothing_cannot_add_organs(world):
    with pytest.raises(PermissionDenied):
        services.find_or_create_external_organ(actor=world.specialist, name="Văn phòng Chính phủ")
    with pytest.raises(PermissionDenied):
        services.find_or_create_external_organ(actor=world.leader, name="Văn phòng Chính phủ")
    assert not Organ.objects.filter(name="Văn phòng Chính phủ").exists()
    organ, created = services.find_or_create_external_organ(
        actor=world.unit_admin, name="Văn phòng Chính phủ", organ_id="000.00.00.G22"
    )
    assert created and organ.organ_id == "000.00.00.G22"


def test_the_organ_autocomplete_ignores_diacritics_and_puts_prefixes_first(world):
    for name in ["Ủy ban nhân dân tỉnh Nghệ An", "Sở Công Thương tỉnh Nghệ An", "Văn phòng Chính phủ"]:
        services.find_or_create_external_organ(actor=world.ministry_clerk, name=name)
    names = [o.name for o in selectors.search_organs("nghe an")]
    assert names == ["Sở Công Thương tỉnh Nghệ An", "Ủy ban nhân dân tỉnh Nghệ An"]
    assert [o.name for o in selectors.search_organs("ủy ban")] == ["Ủy ban nhân dân tỉnh Nghệ An"]
    assert [o.name for o in selectors.search_organs("G02")] == ["Bộ Công Thương"]
    assert len(selectors.search_organs("", limit=2)) == 2
