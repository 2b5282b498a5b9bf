"""Periodic reporting: periods, rounds generated from plans, expected reporters (submissions), who is
responsible for which value, the narrow value table, approval steps, reminders and notifications.

The rules (who reports what, double counting, plans that outlive their unit) are in docs/reporting.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTHLY = "Monthly", _("Tháng")
    QUARTERLY = "Quarterly", _("Quý")
    SIX_MONTHLY = "SixMonthly", _("6 tháng")
    YEARLY = "Yearly", _("Năm")


class Period(models.Model):
    """A calendar period with its DHIS2 identifier (`2025`, `2025S1`, `2025Q1`, `202501`)."""

    code = models.CharField(_("mã kỳ (DHIS2)"), max_length=16, unique=True)
    type = models.CharField(_("loại kỳ"), max_length=12, choices=PeriodType.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("kỳ")
        verbose_name_plural = _("kỳ")
        ordering = ["start", "-end"]
        indexes = [models.Index(fields=["type", "start"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from .periods import period_label

        return period_label(self.code)


class CutoffRule(models.TextChoices):
    """How a round's data window is cut (configurable per plan)."""

    REQUIREMENT = "", _("Theo chế độ báo cáo của kế hoạch")
    CALENDAR = "calendar", _("Theo lịch: 6 tháng 01/01–30/6, năm 01/01–31/12")
    STATISTICAL = "statistical", _("Chốt số liệu thống kê: 6 tháng 15/12–14/6, năm 15/12–14/12")


class ReportingSettings(models.Model):
    """Per-plan settings of its reporting rounds (defaults apply when a plan has none)."""

    plan = models.OneToOneField(
        "plans.PlanDocument", on_delete=models.CASCADE, related_name="reporting_settings"
    )
    cutoff = models.CharField(
        _("quy ước chốt số liệu"), max_length=12, choices=CutoffRule.choices, blank=True
    )
    open_days_before_deadline = models.PositiveSmallIntegerField(_("mở nhập trước hạn (ngày)"), default=30)
    lock_days_after_deadline = models.PositiveSmallIntegerField(_("khóa sau hạn (ngày)"), default=30)
    reminder_days = models.JSONField(
        _("nhắc trước hạn (ngày)"), default=list, blank=True, help_text=_("ví dụ [7, 1]")
    )
    default_deadline_days = models.PositiveSmallIntegerField(
        _("hạn mặc định sau kỳ (ngày)"), default=15, help_text=_("khi văn bản không nêu hạn báo cáo")
    )

    class Meta:
        verbose_name = _("cấu hình báo cáo của kế hoạch")
        verbose_name_plural = _("cấu hình báo cáo của kế hoạch")

    def __str__(self) -> str:
        return str(self.plan)


class Round(models.Model):
    """One reporting round of a plan: the period it covers, its data window, opening, deadline, lock."""

    plan = models.ForeignKey(
        "plans.PlanDocument", on_delete=models.CASCADE, related_name="rounds", verbose_name=_("kế hoạch")
    )
    requirement = models.ForeignKey(
        "plans.ReportingRequirement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rounds",
        verbose_name=_("chế độ báo cáo"),
    )
    frequency = models.CharField(_("kỳ báo cáo"), max_length=12)
    reporters = models.CharField(
        _("đơn vị báo cáo"),
        max_length=20,
        default="all",
        help_text=_(
            "gộp từ mọi chế độ báo cáo của kế hoạch cho kỳ này (xã, cơ quan, cả hai, cơ quan đầu mối)"
        ),
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("kỳ"))
    data_from = models.DateField(_("số liệu từ ngày"))
    data_to = models.DateField(_("số liệu đến ngày"))
    opens_on = models.DateField(_("mở nhập từ"))
    deadline = models.DateField(_("hạn nộp"))
    locks_on = models.DateField(_("khóa nhập từ"))
    area_note = models.TextField(_("ghi chú địa bàn"), blank=True)
    active = models.BooleanField(
        _("còn hiệu lực"), default=True, help_text=_("bỏ chọn khi kế hoạch không còn yêu cầu kỳ này")
    )
    generated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-deadline", "plan_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="round_unique_plan_period")]

    def __str__(self) -> str:
        return f"{self.period.label} – {self.plan}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:round", args=[self.pk])

    def is_open(self, today) -> bool:
        return self.active and self.opens_on <= today < self.locks_on


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã nộp, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class Submission(models.Model):
    """What one reporter (a commune, or an agency) must report in a round: a form, a workbook."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("kỳ báo cáo")
    )
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("đơn vị báo cáo"),
        help_text=_("xã báo cáo cho chính mình; với cơ quan: đơn vị hành chính của cơ quan"),
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("cơ quan"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_level = models.PositiveSmallIntegerField(_("đã duyệt đến cấp"), null=True, blank=True)
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_comment = models.TextField(_("lý do trả lại / mở lại"), blank=True)
    extended_until = models.DateField(_("gia hạn nhập đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")
        ordering = ["round", "agency_id", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"], condition=Q(agency__isnull=True), name="submission_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["round", "agency"], condition=Q(agency__isnull=False), name="submission_unique_agency"
            ),
        ]
        indexes = [models.Index(fields=["status", "round"])]

    def __str__(self) -> str:
        return f"{self.reporter_name} – {self.round.period.label}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:form", args=[self.pk])

    @property
    def reporter_name(self) -> str:
        return self.agency.name if self.agency_id else self.unit.full_name

    @property
    def is_editable_status(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class Responsibility(models.Model):
    """Who reports one data element for one unit in a round — exactly one submission (no double counting)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responsibilities")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="responsibilities")
    data_element = models.ForeignKey("indicators.DataElement", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("trách nhiệm báo cáo")
        verbose_name_plural = _("trách nhiệm báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "data_element", "unit"], name="responsibility_one_reporter"
            )
        ]
        indexes = [models.Index(fields=["submission", "unit"])]

    def __str__(self) -> str:
        return f"{self.submission} · {self.data_element_id} · {self.unit_id}"


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã nộp")
    APPROVED = "approved", _("Đã duyệt")


class ValueSource(models.TextChoices):
    FORM = "form", _("Biểu mẫu")
    EXCEL = "excel", _("Tệp Excel")
    API = "api", _("API")
    DHIS2 = "dhis2", _("Nhập từ DHIS2")
    DEMO = "demo", _("Số liệu demo (sinh tự động)")
    BENCH = "bench", _("Số liệu đo hiệu năng")


class DataValue(models.Model):
    """One number: a data element, in one disaggregation, for one unit and one period.

    The narrow table every aggregate is computed from (SQL GROUP BY over the closure table).
    `version` is incremented by every write; a write that names an older version is refused.
    """

    data_element = models.ForeignKey(
        "indicators.DataElement", on_delete=models.PROTECT, related_name="values"
    )
    combo = models.ForeignKey(
        "indicators.CategoryOptionCombo", on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="data_values")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.DRAFT
    )
    source = models.CharField(
        _("nguồn"), max_length=10, choices=ValueSource.choices, default=ValueSource.FORM
    )
    version = models.PositiveIntegerField(default=1)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="values"
    )
    comment = models.TextField(_("ghi chú"), blank=True)
    followup = models.BooleanField(_("bất thường, cần xem"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("giá trị số liệu")
        verbose_name_plural = _("giá trị số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["data_element", "combo", "unit", "period"], name="datavalue_unique_cell"
            )
        ]
        indexes = [
            models.Index(fields=["period", "data_element", "status"], name="datavalue_period_de"),
            models.Index(fields=["unit", "period"], name="datavalue_unit_period"),
            models.Index(
                fields=["unit", "updated_at"], name="datavalue_unit_updated"
            ),  # data_version of a dashboard
            models.Index(fields=["submission"], name="datavalue_submission"),
        ]

    def __str__(self) -> str:
        return f"{self.data_element_id}/{self.combo_id} {self.unit_id} {self.period_id} = {self.value}"


class StepAction(models.TextChoices):
    SUBMIT = "submit", _("Nộp")
    APPROVE = "approve", _("Duyệt")
    RETURN = "return", _("Trả lại")
    REOPEN = "reopen", _("Mở lại")


class ApprovalStep(models.Model):
    """One workflow step of a submission (submit, approve at a level, return, reopen)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("thao tác"), max_length=10, choices=StepAction.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), null=True, blank=True)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["submission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.submission_id} {self.at:%d/%m/%Y}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")


class Reminder(models.Model):
    """A reminder sent for a submission; unique per (submission, kind, key) so it is never sent twice."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    key = models.CharField(max_length=20, help_text=_("số ngày trước hạn, hoặc 'overdue'"))
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        verbose_name = _("nhắc nhở")
        verbose_name_plural = _("nhắc nhở")
        constraints = [models.UniqueConstraint(fields=["submission", "kind", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} – {self.submission_id}"


class Notification(models.Model):
    """An in-app message to a user (reminders, returned or approved reports)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reporting_notifications"
    )
    text = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text


class ExternalCode(models.Model):
    """Code mapping for exchange with another system (DHIS2): a TreEm code ↔ the other system's code or UID."""

    class Kind(models.TextChoices):
        DATA_ELEMENT = "dataElement", _("Phần tử dữ liệu")
        ORG_UNIT = "orgUnit", _("Đơn vị")
        COMBO = "categoryOptionCombo", _("Tổ hợp phân tổ")

    system = models.CharField(_("hệ thống"), max_length=20, default="dhis2")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    local = models.CharField(_("mã TreEm"), max_length=80)
    external = models.CharField(_("mã bên ngoài"), max_length=80)

    class Meta:
        verbose_name = _("ánh xạ mã")
        verbose_name_plural = _("ánh xạ mã")
        constraints = [
            models.UniqueConstraint(fields=["system", "kind", "local"], name="extcode_unique_local"),
            models.UniqueConstraint(fields=["system", "kind", "external"], name="extcode_unique_external"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.local} ↔ {self.external}"
