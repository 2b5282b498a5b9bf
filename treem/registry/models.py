"""The child registry: children, caregivers, special circumstances, schooling, immunisation, growth,
imports, linkage and merges.

Writes go through ``services`` (audited), reads of a record through ``services.get_child_for`` (logged);
scoping is by the child's current commune (``Child.commune``) through ``accounts.scoping``.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.text import fold, nfc

from .codes import (
    SUBGROUP_CHOICES,
    Article10,
    BirthRegistration,
    ChildStatus,
    DatePrecision,
    DisabilityLevel,
    DisabilityType,
    Measure,
    RecordSource,
    Relationship,
    SchoolLevel,
    SchoolStatus,
    Sex,
    SupportKind,
)


class ChildQuerySet(models.QuerySet):
    def live(self):
        """Children that count: not merged into another record."""
        return self.exclude(status=ChildStatus.MERGED)

    def under_age(self, years: int, at: datetime.date):
        """Children younger than `years` on a date (born after the same day `years` earlier)."""
        try:
            start = at.replace(year=at.year - years)
        except ValueError:  # 29 February
            start = at.replace(year=at.year - years, day=28)
        return self.filter(birth_date__gt=start, birth_date__lte=at)


class Child(models.Model):
    """A child (person under 16) known to the commune: identity, residence, birth registration, disability."""

    uid = models.UUIDField(_("mã hồ sơ"), default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    # Searched with LIKE '%…%' within a commune, so a b-tree index would not help (and slows bulk imports).
    name_folded = models.CharField(max_length=200, editable=False)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("độ chính xác ngày sinh"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("khi chỉ biết tháng hoặc năm, ngày sinh lưu là ngày đầu tháng hoặc đầu năm"),
    )
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    ethnicity_code = models.CharField(_("dân tộc (mã)"), max_length=3, blank=True)
    ethnicity_list = models.CharField(_("danh mục dân tộc"), max_length=20, blank=True)
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True, db_index=True)
    birth_registration = models.CharField(
        _("đăng ký khai sinh"), max_length=8, choices=BirthRegistration.choices, blank=True, default=""
    )
    birth_registration_date = models.DateField(_("ngày đăng ký khai sinh"), null=True, blank=True)
    birth_registration_place = models.CharField(_("nơi đăng ký khai sinh"), max_length=250, blank=True)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="registry_children",
        verbose_name=_("xã, phường nơi ở"),
        db_index=False,  # the (commune, status) and (commune, birth_date) indexes serve every lookup by commune
    )
    source_unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("đơn vị trước 01/7/2025"),
        help_text=_("đơn vị ghi trong danh sách cũ, khi nhập từ danh sách trước sắp xếp"),
    )
    village = models.ForeignKey(
        "geo.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thôn, tổ dân phố"),
        db_index=False,
    )
    village_name = models.CharField(_("thôn, tổ dân phố (ghi)"), max_length=150, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=250, blank=True)
    disability_type = models.CharField(
        _("dạng khuyết tật"), max_length=20, choices=DisabilityType.choices, blank=True
    )
    disability_level = models.CharField(
        _("mức độ khuyết tật"), max_length=20, choices=DisabilityLevel.choices, blank=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ChildStatus.choices, default=ChildStatus.ACTIVE, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        verbose_name=_("gộp vào"),
    )
    source = models.CharField(
        _("nguồn"), max_length=12, choices=RecordSource.choices, default=RecordSource.MANUAL
    )
    import_batch = models.ForeignKey(
        "ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    import_row = models.PositiveIntegerField(null=True, blank=True)
    fully_immunised_on = models.DateField(
        _("ngày tiêm đủ vắc xin (dưới 1 tuổi)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("ngày của liều cuối cùng trong lịch tiêm đủ, nếu trước sinh nhật đầu tiên"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("trẻ em")
        verbose_name_plural = _("trẻ em")
        ordering = ["name_folded", "birth_date"]
        indexes = [
            models.Index(fields=["commune", "status"]),
            models.Index(fields=["commune", "birth_date"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = " ".join(nfc(self.full_name).split())
        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def birth_date_display(self) -> str:
        """Date of birth as written at its precision: 05/03/2019, 03/2019 or 2019."""
        d = self.birth_date
        if d is None:
            return ""
        if self.birth_date_precision == DatePrecision.YEAR:
            return f"{d.year}"
        if self.birth_date_precision == DatePrecision.MONTH:
            return f"{d.month:02d}/{d.year}"
        return f"{d.day:02d}/{d.month:02d}/{d.year}"

    def age_years(self, at: datetime.date | None = None) -> int | None:
        """Completed years of age on a date."""
        if self.birth_date is None:
            return None
        at = at or datetime.date.today()
        d = self.birth_date
        return at.year - d.year - ((at.month, at.day) < (d.month, d.day))


class Caregiver(models.Model):
    """A parent, guardian or other carer of a child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="caregivers")
    relationship = models.CharField(_("quan hệ"), max_length=12, choices=Relationship.choices)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    name_folded = models.CharField(max_length=200, blank=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("người chăm sóc chính"), default=False)
    lives_with_child = models.BooleanField(_("sống cùng trẻ"), default=True)
    deceased = models.BooleanField(_("đã mất"), default=False)

    class Meta:
        verbose_name = _("người chăm sóc")
        verbose_name_plural = _("người chăm sóc")
        ordering = ["-is_primary", "relationship"]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()}: {self.full_name}"

    def save(self, *args, **kwargs):
        self.full_name = " ".join(nfc(self.full_name).split())
        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)


class SpecialCircumstance(models.Model):
    """A child's membership of an Article 10 group over a period (sensitive)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="circumstances")
    group = models.CharField(_("nhóm (Điều 10)"), max_length=2, choices=Article10.choices)
    subgroup = models.CharField(
        _("nhóm nhỏ (NĐ 56/2017)"), max_length=3, choices=SUBGROUP_CHOICES, blank=True
    )
    from_date = models.DateField(_("từ ngày"))
    to_date = models.DateField(
        _("đến ngày"), null=True, blank=True, help_text=_("trống khi vẫn đang thuộc nhóm")
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("hoàn cảnh đặc biệt")
        verbose_name_plural = _("hoàn cảnh đặc biệt")
        ordering = ["group", "from_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
                name="circumstance_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.get_group_display()


class Support(models.Model):
    """Support a child in special circumstances received (allowance, sponsorship, fund aid …)."""

    circumstance = models.ForeignKey(SpecialCircumstance, on_delete=models.CASCADE, related_name="supports")
    kind = models.CharField(_("hình thức"), max_length=12, choices=SupportKind.choices)
    provider = models.CharField(_("đơn vị, người hỗ trợ"), max_length=250, blank=True)
    from_date = models.DateField(_("từ ngày"))
    to_date = models.DateField(_("đến ngày"), null=True, blank=True)
    amount_vnd = models.PositiveBigIntegerField(_("giá trị (đồng)"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("trợ giúp")
        verbose_name_plural = _("trợ giúp")
        ordering = ["from_date"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Schooling(models.Model):
    """A child's schooling in one school year (2024 = school year 2024–2025)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="schooling")
    school_year = models.PositiveSmallIntegerField(_("năm học (năm bắt đầu)"))
    level = models.CharField(_("cấp học"), max_length=16, choices=SchoolLevel.choices)
    grade = models.PositiveSmallIntegerField(_("lớp"), null=True, blank=True)
    school_name = models.CharField(_("trường"), max_length=250, blank=True)
    status = models.CharField(_("tình trạng"), max_length=12, choices=SchoolStatus.choices)
    status_date = models.DateField(_("ngày ghi nhận"), null=True, blank=True)

    class Meta:
        verbose_name = _("học tập")
        verbose_name_plural = _("học tập")
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["child", "school_year"], name="schooling_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.school_year}–{self.school_year + 1}: {self.get_level_display()} ({self.get_status_display()})"


class EpiDose(models.Model):
    """One dose of the national expanded-immunisation schedule (data, versioned with its legal source)."""

    schedule = models.CharField(_("lịch tiêm"), max_length=30, default="tt10_2024")
    antigen = models.CharField(_("vắc xin"), max_length=20)
    dose = models.PositiveSmallIntegerField(_("mũi, liều"))
    name_vi = models.CharField(_("tên"), max_length=150)
    diseases = models.CharField(_("bệnh phòng"), max_length=250, blank=True)
    due_age_days = models.PositiveSmallIntegerField(_("tuổi tiêm (ngày)"))
    min_age_days = models.PositiveSmallIntegerField(_("tuổi tối thiểu (ngày)"), default=0)
    for_full_under1 = models.BooleanField(_("tính tiêm chủng đầy đủ dưới 1 tuổi"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("liều trong lịch tiêm chủng")
        verbose_name_plural = _("lịch tiêm chủng mở rộng")
        ordering = ["schedule", "order"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "antigen", "dose"], name="epi_dose_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name_vi} – mũi {self.dose}"


class Vaccination(models.Model):
    """A dose a child received."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="vaccinations")
    antigen = models.CharField(_("vắc xin"), max_length=20)
    dose = models.PositiveSmallIntegerField(_("mũi, liều"))
    date = models.DateField(_("ngày tiêm"))
    place = models.CharField(_("nơi tiêm"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("mũi tiêm")
        verbose_name_plural = _("tiêm chủng")
        ordering = ["date", "antigen", "dose"]
        constraints = [
            models.UniqueConstraint(fields=["child", "antigen", "dose"], name="vaccination_unique_dose")
        ]

    def __str__(self) -> str:
        return f"{self.antigen} {self.dose} ({self.date:%d/%m/%Y})"


class GrowthMeasurement(models.Model):
    """A weight / length-height measurement with its WHO 2006 z-scores, flags and classification."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("ngày cân đo"))
    weight_kg = models.FloatField(_("cân nặng (kg)"), null=True, blank=True)
    lenhei_cm = models.FloatField(_("chiều dài/cao (cm)"), null=True, blank=True)
    measure = models.CharField(_("tư thế đo"), max_length=1, choices=Measure.choices, blank=True)
    oedema = models.BooleanField(_("phù"), default=False)
    age_days = models.PositiveIntegerField(_("tuổi (ngày)"), null=True, blank=True, editable=False)
    zlen = models.FloatField(_("Z chiều cao/tuổi"), null=True, blank=True, editable=False)
    zwei = models.FloatField(_("Z cân nặng/tuổi"), null=True, blank=True, editable=False)
    zwfl = models.FloatField(_("Z cân nặng/chiều cao"), null=True, blank=True, editable=False)
    zbmi = models.FloatField(_("Z BMI/tuổi"), null=True, blank=True, editable=False)
    flen = models.BooleanField(null=True, editable=False)
    fwei = models.BooleanField(null=True, editable=False)
    fwfl = models.BooleanField(null=True, editable=False)
    fbmi = models.BooleanField(null=True, editable=False)
    stunted = models.BooleanField(_("thấp còi"), null=True, editable=False)
    severely_stunted = models.BooleanField(_("thấp còi nặng"), null=True, editable=False)
    underweight = models.BooleanField(_("nhẹ cân"), null=True, editable=False)
    wasted = models.BooleanField(_("gầy còm"), null=True, editable=False)
    overweight = models.BooleanField(_("thừa cân"), null=True, editable=False)
    obese = models.BooleanField(_("béo phì"), null=True, editable=False)

    class Meta:
        verbose_name = _("lần cân đo")
        verbose_name_plural = _("cân đo")
        ordering = ["-measured_on"]
        indexes = [models.Index(fields=["child", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.measured_on:%d/%m/%Y}"


class ImportBatch(models.Model):
    """An uploaded list (Excel/CSV): its column mapping, progress, report and outcome."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        CHECKING = "checking", _("Đang kiểm tra")
        CHECKED = "checked", _("Đã kiểm tra")
        APPLYING = "applying", _("Đang ghi")
        APPLIED = "applied", _("Đã ghi vào sổ")
        FAILED = "failed", _("Không ghi được")
        DISCARDED = "discarded", _("Đã hủy")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("địa bàn"),
        help_text=_("xã, phường (hoặc đơn vị cấp trên) mà danh sách thuộc về"),
    )
    file = models.FileField(upload_to="registry/imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=250)
    file_sha256 = models.CharField(max_length=64, blank=True)
    sheet = models.CharField(_("trang tính"), max_length=100, blank=True)
    list_generation = models.CharField(
        _("danh sách lập theo đơn vị"),
        max_length=10,
        blank=True,
        choices=[("", _("Tự nhận biết")), ("pre2025", _("Trước 01/7/2025")), ("2025", _("Từ 01/7/2025"))],
    )
    ethnicity_list = models.CharField(_("danh mục mã dân tộc"), max_length=20, default="tctk121_1979")
    skip_errors = models.BooleanField(_("bỏ qua các dòng có lỗi"), default=False)
    header_row = models.PositiveSmallIntegerField(_("dòng tiêu đề"), default=1)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(_("ghép cột"), default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập danh sách")
        verbose_name_plural = _("lần nhập danh sách")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ImportIssue(models.Model):
    """One problem or correction found in a row of an import: shown in the Vietnamese report."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Lỗi")
        WARNING = "warning", _("Cần xem lại")
        FIXED = "fixed", _("Đã chuẩn hóa")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("dòng"))
    column = models.CharField(_("cột"), max_length=150, blank=True)
    field = models.CharField(max_length=40, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    code = models.CharField(max_length=40)
    message = models.CharField(_("nội dung"), max_length=500)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["batch", "severity"])]

    def __str__(self) -> str:
        return f"dòng {self.row}: {self.message}"


class ColumnMemory(models.Model):
    """How an uploader mapped a column heading last time (remembered per user)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    header_folded = models.CharField(max_length=150)
    field = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "header_folded"], name="column_memory_unique")]

    def __str__(self) -> str:
        return f"{self.header_folded} → {self.field or '-'}"


class LinkageRun(models.Model):
    """One de-duplication or population-register linkage run over the records of a unit."""

    class Kind(models.TextChoices):
        DEDUPE = "dedupe", _("Tìm hồ sơ trùng")
        REGISTER = "register", _("Đối chiếu CSDL quốc gia về dân cư")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    n_records = models.PositiveIntegerField(default=0)
    n_pairs = models.PositiveIntegerField(default=0)
    n_auto = models.PositiveIntegerField(default=0)
    n_review = models.PositiveIntegerField(default=0)
    settings = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%d/%m/%Y %H:%M}"


class MatchCandidate(models.Model):
    """A pair that may be the same child: two registry records, or a record and a register citizen."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xem xét")
        ACCEPTED = "accepted", _("Cùng một trẻ")
        REJECTED = "rejected", _("Khác trẻ")
        AUTO = "auto", _("Tự động khớp")

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="candidates")
    left = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Child, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    register_key = models.CharField(max_length=64, blank=True)
    register_data = models.JSONField(default=dict, blank=True)
    probability = models.FloatField()
    method = models.CharField(max_length=20, default="probabilistic")
    reasons = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability"]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id or self.register_key} ({self.probability:.2f})"


class RegisterLink(models.Model):
    """The link of a child to a citizen of the national population database."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="register_links")
    register = models.CharField(max_length=30, default="csdlqg_dc")
    citizen_key = models.CharField(max_length=64)
    method = models.CharField(max_length=20)
    probability = models.FloatField(null=True, blank=True)
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "register"], name="register_link_one_per_register")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.register}:{self.citizen_key}"


class MergeEvent(models.Model):
    """One merge of a duplicate record into another: the duplicate is kept (status merged) with a snapshot."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_in")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_out")
    candidate = models.ForeignKey(
        MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    filled = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id} ({self.at:%d/%m/%Y})"


class ListExport(models.Model):
    """A logged export of a list of children: who, when, which filter, which fields, how many rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=8)
    filters = models.JSONField(default=dict, blank=True)
    fields = models.JSONField(default=list)
    n_rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.format} {self.n_rows}"
