"""Plans as data: documents and the documents they implement, objectives, targets and their
measurable components, tasks, assignments to agencies, and reporting requirements."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Sector
from treem.indicators.models import Unit


class DocumentType(models.TextChoices):
    CHI_THI = "chi_thi", _("Chỉ thị")
    KE_HOACH = "ke_hoach", _("Kế hoạch")
    NGHI_QUYET = "nghi_quyet", _("Nghị quyết")
    CHUONG_TRINH = "chuong_trinh", _("Chương trình")
    QUYET_DINH = "quyet_dinh", _("Quyết định")
    KHAC = "khac", _("Văn bản khác")


class IssuerKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Cấp ủy Đảng")
    PEOPLE_COMMITTEE = "people_committee", _("Ủy ban nhân dân")
    PEOPLE_COUNCIL = "people_council", _("Hội đồng nhân dân")
    CENTRAL = "central", _("Cơ quan trung ương")
    AGENCY = "agency", _("Cơ quan chuyên môn")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Đang thực hiện")
    DRAFT = "draft", _("Bản nháp (chờ rà soát)")
    REFERENCE = "reference", _("Văn bản được dẫn chiếu (chưa nhập nội dung)")


class PlanDocument(models.Model):
    """A directive, plan, resolution, programme or decision, with its metadata and full text."""

    key = models.SlugField(_("mã nội bộ"), max_length=80, unique=True, null=True, blank=True)
    doc_type = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentType.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True, db_index=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=250, blank=True)
    issuer_kind = models.CharField(
        _("loại cơ quan ban hành"), max_length=30, choices=IssuerKind.choices, blank=True
    )
    issuing_unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("địa bàn ban hành"),
    )
    issuing_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        verbose_name=_("cơ quan ban hành"),
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=120, blank=True)
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    title = models.TextField(_("trích yếu"))
    period_start = models.PositiveSmallIntegerField(_("từ năm"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    full_text = models.TextField(_("toàn văn"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    source_name = models.CharField(_("tệp nguồn"), max_length=250, blank=True)
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the structured form it was stored from",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản kế hoạch")
        verbose_name_plural = _("văn bản kế hoạch")
        ordering = ["-issued_on", "number"]
        indexes = [models.Index(fields=["issuing_unit", "issued_on"])]

    def __str__(self) -> str:
        label = self.get_doc_type_display()
        return f"{label} {self.number}".strip() if self.number else f"{label}: {self.title[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @property
    def level(self) -> int:
        return self.issuing_unit.level

    @property
    def period_label(self) -> str:
        if self.period_start and self.period_end:
            return f"{self.period_start} - {self.period_end}"
        return str(self.period_start or self.period_end or "")


class PlanReference(models.Model):
    """A document that a plan implements or is based on; linked to it when it is in TreEm."""

    plan = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="references")
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    doc_type = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentType.choices, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=250, blank=True)
    title = models.TextField(_("trích yếu"), blank=True)
    referenced = models.ForeignKey(
        PlanDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implemented_by",
        verbose_name=_("văn bản trong TreEm"),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("văn bản thực hiện")
        verbose_name_plural = _("văn bản thực hiện")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return self.number


class ObjectiveKind(models.TextChoices):
    GENERAL = "general", _("Mục tiêu chung")
    SPECIFIC = "specific", _("Mục tiêu cụ thể")


class Objective(models.Model):
    """An objective of a plan (general or specific), grouping its targets as the text does."""

    plan = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="objectives")
    number = models.CharField(_("số"), max_length=20, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=ObjectiveKind.choices)
    title = models.TextField(_("tiêu đề"))
    text = models.TextField(_("nội dung"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Target(models.Model):
    """A target (chỉ tiêu) as the plan words it, numbered as in the plan (or not)."""

    plan = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="targets")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets"
    )
    number = models.CharField(_("số chỉ tiêu"), max_length=20, blank=True)
    group = models.CharField(_("nhóm"), max_length=300, blank=True)
    text = models.TextField(_("nội dung chỉ tiêu"))
    order = models.PositiveSmallIntegerField(default=0)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"Chỉ tiêu {self.number}" if self.number else f"Chỉ tiêu (không đánh số) {self.order}"

    def get_absolute_url(self) -> str:
        return reverse("plans:target", args=[self.plan_id, self.pk])


class Comparator(models.TextChoices):
    LT = "lt", _("dưới")
    LE = "le", _("không quá")
    EQ = "eq", _("bằng")
    GE = "ge", _("đạt ít nhất")
    GT = "gt", _("trên")
    MAINTAIN = "maintain", _("duy trì")
    REDUCE_BY = "reduce_by", _("giảm")
    INCREASE_BY = "increase_by", _("tăng")


COMPARATOR_SYMBOL = {
    "lt": "<",
    "le": "≤",
    "eq": "=",
    "ge": "≥",
    "gt": ">",
    "maintain": "duy trì",
    "reduce_by": "giảm",
    "increase_by": "tăng",
}


class TargetComponent(models.Model):
    """One measurable milestone of a target: indicator, comparator, value, unit, year, qualifier."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(default=0)
    indicator_text = models.CharField(_("chỉ số (theo văn bản)"), max_length=400)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
        verbose_name=_("chỉ số"),
    )
    comparator = models.CharField(_("so sánh"), max_length=12, choices=Comparator.choices)
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=6, null=True, blank=True)
    unit = models.CharField(_("đơn vị"), max_length=30, choices=Unit.choices)
    year = models.PositiveSmallIntegerField(_("năm mốc"), null=True, blank=True)
    qualifier = models.CharField(_("điều kiện"), max_length=120, blank=True)
    baseline_value = models.DecimalField(
        _("giá trị gốc"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành phần chỉ tiêu")
        verbose_name_plural = _("thành phần chỉ tiêu")
        ordering = ["target", "order"]

    def __str__(self) -> str:
        return f"{self.indicator_text} {self.milestone_label}"

    @property
    def milestone_label(self) -> str:
        """'< 0,01% (2025)' in Vietnamese notation."""
        from treem.core.text import format_vn_number

        unit = {
            "%": "%",
            "‰": "‰",
            "per_1000_live_births": "‰ (trên 1.000 trẻ đẻ sống)",
            "per_100000_children": "/100.000 trẻ em",
            "count": "",
        }[self.unit]
        value = format_vn_number(self.value) if self.value is not None else "—"
        text = f"{COMPARATOR_SYMBOL[self.comparator]} {value}{unit}"
        if self.year:
            text += f" ({self.year})"
        if self.qualifier:
            text += f" – {self.qualifier}"
        return text


class Task(models.Model):
    """A task or solution (nhiệm vụ, giải pháp), numbered as in the plan."""

    plan = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("số"), max_length=20, blank=True)
    title = models.TextField(_("tiêu đề"))
    text = models.TextField(_("nội dung"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nhiệm vụ, giải pháp")
        verbose_name_plural = _("nhiệm vụ, giải pháp")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COORDINATE = "coordinate", _("Phối hợp")
    GUIDE = "guide", _("Hướng dẫn, chỉ đạo")


class Assignment(models.Model):
    """An agency's responsibility in a plan: the targets and tasks it leads, coordinates or guides."""

    plan = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="assignments")
    agency_name = models.CharField(_("cơ quan (theo văn bản)"), max_length=300)
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
        verbose_name=_("cơ quan"),
    )
    sector = models.CharField(_("ngành"), max_length=30, choices=Sector.choices, blank=True)
    role = models.CharField(_("vai trò"), max_length=12, choices=AssignmentRole.choices)
    targets = models.ManyToManyField(
        Target, blank=True, related_name="assignments", verbose_name=_("chỉ tiêu")
    )
    tasks = models.ManyToManyField(Task, blank=True, related_name="assignments", verbose_name=_("nhiệm vụ"))
    text = models.TextField(_("nội dung phân công"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.agency_name} – {self.get_role_display()}"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    SEMIANNUAL = "semiannual", _("6 tháng")
    ANNUAL = "annual", _("Hằng năm")
    ONCE = "once", _("Một lần / đột xuất")


class Reporters(models.TextChoices):
    COMMUNES = "communes", _("UBND cấp xã")
    AGENCIES = "agencies", _("Các cơ quan, đơn vị được phân công")
    ALL = "all", _("Các cơ quan, đơn vị và UBND cấp xã")
    LEAD_OFFICE = "lead_office", _("Cơ quan đầu mối tổng hợp")


class CutoffConvention(models.TextChoices):
    CALENDAR = "calendar", _("Theo lịch: 6 tháng 01/01–30/6, năm 01/01–31/12")
    STATISTICAL = "statistical", _("Chốt số liệu: 6 tháng 15/12–14/6, năm 15/12–14/12")


class ReportingRequirement(models.Model):
    """How often and by when a plan's results must be reported, by whom, to whom, through whom."""

    plan = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="reporting_requirements")
    frequency = models.CharField(_("kỳ báo cáo"), max_length=12, choices=Frequency.choices)
    deadline_day = models.PositiveSmallIntegerField(_("hạn (ngày)"), null=True, blank=True)
    deadline_month = models.PositiveSmallIntegerField(_("hạn (tháng)"), null=True, blank=True)
    reporters = models.CharField(
        _("đơn vị báo cáo"), max_length=20, choices=Reporters.choices, default=Reporters.ALL
    )
    recipient = models.CharField(_("gửi đến"), max_length=250, blank=True)
    through = models.CharField(_("qua"), max_length=250, blank=True)
    cutoff = models.CharField(
        _("quy ước chốt số liệu"),
        max_length=12,
        choices=CutoffConvention.choices,
        default=CutoffConvention.CALENDAR,
    )
    text = models.TextField(_("trích văn bản"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chế độ báo cáo")
        verbose_name_plural = _("chế độ báo cáo")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} – {self.deadline_label}"

    @property
    def deadline_label(self) -> str:
        if self.deadline_day and self.deadline_month:
            return f"trước ngày {self.deadline_day:02d}/{self.deadline_month:02d}"
        return "—"
