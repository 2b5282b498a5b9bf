"""Plan-document imports: an uploaded file, how far reading it got, what was extracted, what the
official reviewed, and the plan it became."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ đọc")
    READING = "reading", _("Đang đọc")
    READY = "ready", _("Chờ rà soát")
    FAILED = "failed", _("Không đọc được")
    CONFIRMED = "confirmed", _("Đã xác nhận")


class PlanImport(models.Model):
    """One upload of a plan document, from reading through review to the plan it created or updated."""

    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/", blank=True, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=250)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="plan_imports",
        verbose_name=_("địa bàn ban hành"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="plan_imports",
        verbose_name=_("người tải lên"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    progress_message = models.CharField(_("đang làm"), max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    kind = models.CharField(_("định dạng"), max_length=10, blank=True)
    error_code = models.CharField(_("mã lỗi"), max_length=30, blank=True)
    error_message = models.TextField(_("thông báo lỗi"), blank=True)
    text = models.TextField(_("văn bản đã làm sạch"), blank=True)
    extraction = models.JSONField(_("kết quả trích xuất"), null=True, blank=True)
    reviewed = models.JSONField(_("bản đã rà soát"), null=True, blank=True)
    warnings = models.JSONField(_("lưu ý"), default=list, blank=True)
    plan = models.ForeignKey(
        "plans.PlanDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        verbose_name=_("kế hoạch"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản nhập")
        verbose_name_plural = _("văn bản nhập")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.READING)

    @property
    def can_review(self) -> bool:
        return self.status in (ImportStatus.READY, ImportStatus.CONFIRMED)
