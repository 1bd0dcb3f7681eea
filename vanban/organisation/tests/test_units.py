from __future__ import annotations

import datetime as dt

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied, ValidationFailed
from vanban.organisation import services
from vanban.organisation.errors import UnitError
from vanban.organisation.models import Appointment, Unit
from vanban.organisation.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(make_user, make_unit):
    return make_user("quantri", roles=[Role.SYSTEM_ADMIN], unit=make_unit("Cục Thương mại điện tử và Kinh tế số"))


def test_system_admin_creates_a_unit_tree_with_paths(sysadmin, organ):
    cuc = services.create_unit(actor=sysadmin, organ=organ, name="Cục Xuất nhập khẩu", short_name="XNK", kind=Unit.Kind.CUC)
    phong = services.create_unit(actor=sysadmin, organ=organ, name="Phòng Quản lý xuất khẩu", parent=cuc)
    assert phong.path == f"{cuc.path}{phong.pk}/"
    assert phong.depth == 1
    assert AuditEvent.objects.filter(action="unit.created", target_id=str(phong.pk), actor=sysadmin).exists()


def test_unit_name_is_normalised_to_nfc(sysadmin, organ):
    decomposed = "Vu\u0323 Pha\u0301p chê\u0301"  # NFD, as pasted from some editors
    unit = services.create_unit(actor=sysadmin, organ=organ, name=decomposed)
    assert unit.name == "Vụ Pháp chế"


def test_specialist_cannot_create_units(make_user, make_unit, organ):
    specialist = make_user(roles=[Role.SPECIALIST], unit=make_unit())
    with pytest.raises(PermissionDenied):
        services.create_unit(actor=specialist, organ=organ, name="Vụ mới")


def test_unit_admin_manages_only_their_subtree(make_user, make_unit, organ):
    cuc = make_unit("Cục Xuất nhập khẩu")
    other = make_unit("Cục Điện lực")
    admin = make_user(roles=[Role.UNIT_ADMIN], unit=cuc)
    phong = services.create_unit(actor=admin, organ=organ, name="Phòng Xuất khẩu", parent=cuc)
    assert phong.parent == cuc
    with pytest.raises(PermissionDenied):
        services.create_unit(actor=admin, organ=organ, name="Phòng lạ", parent=other)
    with pytest.raises(PermissionDenied):
        services.create_unit(actor=admin, organ=organ, name="Cục mới")  # top level: IT department only


def test_rename_keeps_the_name_valid_at_a_past_date(sysadmin, make_unit):
    unit = make_unit("Cục Thương mại điện tử và Công nghệ thông tin", established_on=dt.date(2016, 1, 1))
    services.rename_unit(actor=sysadmin, unit=unit, name="Cục Thương mại điện tử và Kinh tế số",
                         effective_on=dt.date(2025, 3, 1))
    unit.refresh_from_db()
    assert unit.name == "Cục Thương mại điện tử và Kinh tế số"
    assert unit.name_at(dt.date(2020, 6, 1)) == "Cục Thương mại điện tử và Công nghệ thông tin"
    assert unit.name_at(dt.date(2025, 3, 1)) == "Cục Thương mại điện tử và Kinh tế số"


def test_moving_a_unit_under_its_own_descendant_is_refused(sysadmin, make_unit):
    cuc = make_unit("Cục A")
    phong = make_unit("Phòng B", parent=cuc)
    to_do = make_unit("Tổ C", parent=phong)
    with pytest.raises(UnitError) as exc:
        services.move_unit(actor=sysadmin, unit=cuc, new_parent=to_do)
    assert exc.value.code == "move_under_descendant"
    cuc.refresh_from_db()
    assert cuc.parent is None


def test_moving_a_unit_rewrites_the_subtree_paths(sysadmin, make_unit):
    a, b = make_unit("Cục A"), make_unit("Cục B")
    phong = make_unit("Phòng 1", parent=a)
    to = make_unit("Tổ 1", parent=phong)
    services.move_unit(actor=sysadmin, unit=phong, new_parent=b)
    to.refresh_from_db()
    assert to.path.startswith(b.path)
    assert Unit.objects.filter(path__startswith=b.path).count() == 3


def test_merge_moves_people_and_sub_units_and_keeps_history(sysadmin, make_unit, make_user):
    source, target = make_unit("Vụ Thị trường châu Âu"), make_unit("Vụ Thị trường châu Âu – châu Mỹ")
    child = make_unit("Phòng EU", parent=source)
    person = make_user(roles=[Role.SPECIALIST], unit=source)
    services.merge_units(actor=sysadmin, source=source, target=target, effective_on=dt.date(2025, 3, 1))
    source.refresh_from_db()
    child.refresh_from_db()
    assert source.status == Unit.Status.MERGED and source.merged_into == target
    assert child.parent == target
    current = Appointment.objects.get(user=person, end_date__isnull=True)
    assert current.unit == target
    assert Appointment.objects.get(user=person, unit=source).end_date == dt.date(2025, 3, 1)
    assert person.role_grants.get().unit == target
    assert source.name_at(dt.date(2024, 1, 1)) == "Vụ Thị trường châu Âu"


def test_dissolving_a_unit_with_people_is_refused(sysadmin, make_unit, make_user):
    unit = make_unit()
    make_user(unit=unit)
    with pytest.raises(UnitError) as exc:
        services.dissolve_unit(actor=sysadmin, unit=unit)
    assert exc.value.code == "has_people"


def test_dissolved_unit_cannot_be_renamed(sysadmin, make_unit):
    unit = make_unit()
    services.dissolve_unit(actor=sysadmin, unit=unit)
    with pytest.raises(UnitError):
        services.rename_unit(actor=sysadmin, unit=unit, name="Tên khác")


def test_invalid_organ_id_is_refused(sysadmin):
    with pytest.raises(ValidationFailed) as exc:
        services.create_organ(actor=sysadmin, organ_id="G02", name="Bộ", short_name="B")
    assert exc.value.code == "invalid_organ_id"
