"""Consolidated reports (the narrative the user writes, the header fields) and background jobs."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NARRATIVE_SECTIONS = [
    ("situation", "I. ĐẶC ĐIỂM TÌNH HÌNH"),
    ("results", "II. KẾT QUẢ THỰC HIỆN"),
    ("assessment", "III. ĐÁNH GIÁ CHUNG"),
    ("direction", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"),
    ("proposals", "V. KIẾN NGHỊ, ĐỀ XUẤT"),
]


class ConsolidatedReport(models.Model):
    """A report a plan asks for, for one unit and one period: header fields and the narrative sections."""

    plan = models.ForeignKey(
        "plans.PlanDocument",
        on_delete=models.CASCADE,
        related_name="consolidated_reports",
        verbose_name=_("kế hoạch"),
    )
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    period = models.CharField(_("kỳ báo cáo"), max_length=16, help_text=_("mã kỳ: 2025, 2025S1"))
    issuing_body = models.CharField(
        _("tên cơ quan ban hành"),
        max_length=300,
        help_text=_("mỗi dòng một dòng in hoa, vd ỦY BAN NHÂN DÂN / HUYỆN VĂN QUAN"),
    )
    supervising_body = models.CharField(_("cơ quan chủ quản"), max_length=300, blank=True)
    number = models.CharField(
        _("số"), max_length=20, blank=True, help_text=_("để trống cho văn thư ghi khi phát hành")
    )
    symbol = models.CharField(_("ký hiệu"), max_length=40, default="BC-UBND")
    place = models.CharField(_("địa danh"), max_length=120)
    report_date = models.DateField(_("ngày báo cáo"))
    title = models.TextField(_("trích yếu"))
    kinh_gui = models.TextField(_("kính gửi"), blank=True, help_text=_("mỗi dòng một nơi"))
    intro = models.TextField(_("mở đầu"), blank=True)
    narrative = models.JSONField(_("nội dung các phần"), default=dict, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("mỗi dòng một nơi"))
    archive = models.CharField(_("lưu"), max_length=120, default="Lưu: VT.")
    signer_lines = models.CharField(
        _("quyền hạn, chức vụ người ký"), max_length=200, help_text=_("các dòng cách nhau bởi /")
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=150, blank=True)
    include_submitted = models.BooleanField(_("tính cả số liệu đã nộp chưa duyệt"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("báo cáo tổng hợp")
        verbose_name_plural = _("báo cáo tổng hợp")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    def get_absolute_url(self) -> str:
        return reverse("analytics:report", args=[self.pk])


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class Job(models.Model):
    """A background job in the database: picked up by a thread (embedded default) or by `treem run_jobs`."""

    kind = models.CharField(_("loại"), max_length=40)
    params = models.JSONField(default=dict)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.CharField(_("thông báo"), max_length=300, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ReportFile(models.Model):
    """A generated file of a consolidated report (DOCX, XLSX, PDF), kept in the database."""

    report = models.ForeignKey(ConsolidatedReport, on_delete=models.CASCADE, related_name="files")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    format = models.CharField(max_length=5)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp báo cáo")
        verbose_name_plural = _("tệp báo cáo")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
