"""Agencies, users and their memberships (unit, optional agency, role)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    LABOUR_SOCIAL = "labour_social", _("Lao động - Thương binh và Xã hội")
    EDUCATION = "education", _("Giáo dục và Đào tạo")
    HEALTH = "health", _("Y tế")
    JUSTICE = "justice", _("Tư pháp")
    POLICE = "police", _("Công an")
    CULTURE_INFORMATION = "culture_information", _("Văn hóa - Thông tin")
    FINANCE = "finance", _("Tài chính - Kế hoạch")
    HOME_AFFAIRS = "home_affairs", _("Nội vụ")
    NATURAL_RESOURCES = "natural_resources", _("Tài nguyên và Môi trường")
    FRONT_MASS_ORG = "front_mass_org", _("Mặt trận Tổ quốc và đoàn thể")
    PEOPLE_COMMITTEE = "people_committee", _("Ủy ban nhân dân")
    PEOPLE_COUNCIL = "people_council", _("Hội đồng nhân dân")
    PARTY_COMMITTEE = "party_committee", _("Cấp ủy Đảng")
    PRESS = "press", _("Báo chí, truyền thông")
    OTHER = "other", _("Khác")


class Agency(models.Model):
    """A government body or organisation (cơ quan, đơn vị) of a unit, in a sector."""

    name = models.CharField(_("tên"), max_length=250)
    short_name = models.CharField(_("tên viết tắt"), max_length=80, blank=True)
    name_folded = models.CharField(max_length=250, db_index=True, editable=False)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("đơn vị hành chính"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    sector = models.CharField(_("ngành, lĩnh vực"), max_length=30, choices=Sector.choices)
    aliases = models.JSONField(
        _("tên gọi khác"),
        default=list,
        blank=True,
        help_text=_("các cách viết khác của tên, để nhận diện trong văn bản"),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["unit__code", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="agency_unique_name_per_unit")]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.name})"

    def save(self, *args, **kwargs):
        from treem.core.text import fold

        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A TreEm user; what they may see comes from their memberships."""

    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    job_title = models.CharField(_("chức vụ"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names, then the given name ("Nông Văn Hải")."""
        return " ".join(p for p in (self.last_name, self.first_name) if p).strip()

    def get_short_name(self) -> str:
        """The full name: Vietnamese officials are addressed by it."""
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    UNIT_MANAGER = "unit_manager", _("Lãnh đạo, quản lý đơn vị")
    AGENCY_REPORTER = "agency_reporter", _("Cán bộ báo cáo của cơ quan")
    COMMUNE_OFFICER = "commune_officer", _("Công chức phụ trách trẻ em cấp xã")
    CASE_WORKER = "case_worker", _("Người làm công tác bảo vệ trẻ em")
    SUPERVISOR = "supervisor", _("Người giám sát ca")
    CHAIRMAN = "chairman", _("Chủ tịch UBND")
    POLICE = "police", _("Công an")
    VIEWER = "viewer", _("Người xem")


# Roles that may change data within their scope (others read only).
EDITOR_ROLES = {
    Role.SYSTEM_ADMIN,
    Role.UNIT_MANAGER,
    Role.AGENCY_REPORTER,
    Role.COMMUNE_OFFICER,
    Role.CASE_WORKER,
    Role.SUPERVISOR,
    Role.CHAIRMAN,
}
MANAGER_ROLES = {Role.SYSTEM_ADMIN, Role.UNIT_MANAGER, Role.CHAIRMAN}


class Membership(models.Model):
    """A user's place: a unit (and everything under it), optionally an agency, and a role."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("người dùng")
    )
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("đơn vị hành chính"),
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("cơ quan"),
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "agency", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        agency = f" – {self.agency.name}" if self.agency_id else ""
        return f"{self.user} · {self.get_role_display()} · {self.unit}{agency}"
