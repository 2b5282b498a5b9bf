"""Audit trail of changes and log of reads of personal records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change to data: who, when, what object, which fields (old → new)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo")
        UPDATE = "update", _("Sửa")
        DELETE = "delete", _("Xóa")
        EXPORT = "export", _("Xuất dữ liệu")
        OTHER = "other", _("Khác")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, db_index=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, db_index=True)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.get_action_display()} {self.object_type}#{self.object_id}"


class AccessEvent(models.Model):
    """One read of a personal record (a child, a case): who, when, which record, through what."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(_("loại hồ sơ"), max_length=80, db_index=True)
    object_id = models.CharField(_("mã hồ sơ"), max_length=64, db_index=True)
    channel = models.CharField(_("kênh"), max_length=40, default="web")
    purpose = models.CharField(_("mục đích"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.object_type}#{self.object_id}"


class Holiday(models.Model):
    """A day that departs from the Monday–Friday working week: a public holiday, a day off in lieu, or a weekend worked."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Nghỉ lễ, tết")
        COMPENSATORY = "compensatory", _("Nghỉ bù, nghỉ hoán đổi")
        WORKING = "working", _("Làm bù (ngày nghỉ hằng tuần phải đi làm)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("tên"), max_length=200)
    source = models.CharField(_("nguồn"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ lễ, làm bù")
        verbose_name_plural = _("lịch ngày nghỉ lễ, làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind != self.Kind.WORKING
