from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from vanban.organisation.roles import Role, SigningAuthority

ORGAN_ID_REGEX = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"


class Organ(models.Model):
    """Cơ quan, tổ chức: issues documents under its own name and seal (domain §2)."""

    # Outside organs typed by a clerk may have no known id yet: NULL, so that the
    # unique constraint does not treat them as one.
    organ_id = models.CharField("Mã định danh", max_length=13, unique=True, null=True, blank=True)
    name = models.CharField("Tên cơ quan", max_length=200)
    short_name = models.CharField("Viết tắt", max_length=30)
    address = models.CharField("Địa chỉ", max_length=300, blank=True)
    email = models.EmailField("Thư điện tử", blank=True)
    telephone = models.CharField("Điện thoại", max_length=50, blank=True)
    website = models.CharField("Trang thông tin", max_length=200, blank=True)
    is_own = models.BooleanField("Cơ quan sử dụng hệ thống", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "Cơ quan"

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """Đơn vị: a node of the organ's tree. Never deleted: renamed, moved, merged or
    dissolved, with its names kept in UnitName for dates in the past."""

    class Kind(models.TextChoices):
        VAN_PHONG = "van_phong", "Văn phòng"
        VU = "vu", "Vụ"
        CUC = "cuc", "Cục"
        TONG_CUC = "tong_cuc", "Tổng cục"
        THANH_TRA = "thanh_tra", "Thanh tra"
        PHONG = "phong", "Phòng"
        KHAC = "khac", "Khác"

    class Status(models.TextChoices):
        ACTIVE = "active", "Đang hoạt động"
        MERGED = "merged", "Đã sáp nhập"
        DISSOLVED = "dissolved", "Đã giải thể"

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path "/3/17/": subtree filters are one indexed LIKE in SQL.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    name = models.CharField("Tên đơn vị", max_length=200)
    short_name = models.CharField("Viết tắt", max_length=30, blank=True)
    kind = models.CharField("Loại đơn vị", max_length=20, choices=Kind.choices, default=Kind.KHAC)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_units"
    )
    established_on = models.DateField("Ngày thành lập")
    ended_on = models.DateField("Ngày kết thúc", null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = "Đơn vị"

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def name_at(self, when: dt.date) -> str:
        """The unit's name valid on `when`: documents keep the name of their date."""
        version = (
            self.names.filter(valid_from__lte=when)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=when))
            .order_by("-valid_from")
            .first()
        )
        return version.name if version else self.name


class UnitName(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="names")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=30, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–)"


class Position(models.Model):
    """Chức vụ (Bộ trưởng, Vụ trưởng, Chuyên viên...). `rank` orders people in lists."""

    class Level(models.TextChoices):
        MINISTRY = "ministry", "Lãnh đạo Bộ"
        UNIT = "unit", "Đơn vị"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField("Tên chức vụ", max_length=100, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.UNIT)
    is_leader = models.BooleanField("Là lãnh đạo", default=False)
    rank = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = "Chức vụ"

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """A person holds a position in a unit. Several open appointments = kiêm nhiệm."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="appointments")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="appointments")
    is_primary = models.BooleanField("Chức vụ chính", default=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "position__rank"]
        indexes = [models.Index(fields=["unit", "end_date"]), models.Index(fields=["user", "end_date"])]

    def __str__(self) -> str:
        return f"{self.position} – {self.unit}"


class RoleGrant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="role_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="uniq_role_grant"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(unit__isnull=True), name="uniq_global_role_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}" + (f" – {self.unit}" if self.unit_id else "")


class Delegation(models.Model):
    """Ủy quyền: a leader lets another person act with some or all of their roles for a
    date range. The delegate acts under their own identity; events record on_behalf_of."""

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received")
    authority = models.CharField(max_length=5, choices=SigningAuthority.choices, default=SigningAuthority.UY_QUYEN)
    # Empty list = every role the principal holds; else a subset of role codes.
    roles = models.JSONField(default=list, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="delegation_dates_ordered"),
            models.CheckConstraint(condition=~Q(principal=models.F("delegate")), name="delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.delegate}"

    @property
    def covers_all_roles(self) -> bool:
        return not self.roles
