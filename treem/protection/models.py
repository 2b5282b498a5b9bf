"""Child-protection cases (Decree 56/2017/NĐ-CP, Art. 22–32): intake, steps with deadlines, plan, referrals,
separation, assignments, transfers, consent, explicit grants and the channel keys of the intake API.

Sensitive fields (narrative, sexual-abuse details, the reporter's identity, the place, photos, the reported
child's identity before linking) are encrypted at rest (`crypto`). Access is decided in `policy`; every
write goes through `services` (audited), every read through `services.get_case_for` (logged).
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .codes import (
    SUBKIND_CHOICES,
    CaseStatus,
    Channel,
    ClosureReason,
    ConsentParty,
    Finding,
    HarmKind,
    ReferralStatus,
    ReporterRelation,
    RiskLevel,
    ServiceKind,
    Setting,
    StepKind,
    StepStatus,
    TransferKind,
    TransferStatus,
    Urgency,
)
from .crypto import EncryptedBinaryField, EncryptedTextField

USER = settings.AUTH_USER_MODEL


class ChannelKey(models.Model):
    """An API key of an intake channel (hotline 111, a police system …); only its SHA-256 is stored."""

    name = models.CharField(_("tên"), max_length=150)
    channel = models.CharField(_("kênh"), max_length=20, choices=Channel.choices)
    prefix = models.CharField(_("tiền tố"), max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("khóa API của kênh tiếp nhận")
        verbose_name_plural = _("khóa API của kênh tiếp nhận")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()}, {self.prefix}…)"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str, channel: str) -> tuple["ChannelKey", str]:
        """Create a key; the plain key is returned once and never stored."""
        key = f"tre_{secrets.token_urlsafe(32)}"
        obj = cls.objects.create(name=name, channel=channel, prefix=key[:10], key_hash=cls.digest(key))
        return obj, key


class Case(models.Model):
    """A child-protection case: one notification (Mẫu 01) and the support it leads to, in one commune."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("số hồ sơ"), max_length=40, unique=True)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="protection_cases",
        verbose_name=_("xã, phường nơi xảy ra, quản lý hồ sơ"),
    )
    channel = models.CharField(_("kênh tiếp nhận"), max_length=20, choices=Channel.choices)
    external_ref = models.CharField(_("mã tham chiếu của kênh"), max_length=100, blank=True)
    channel_key = models.ForeignKey(
        ChannelKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    received_at = models.DateTimeField(_("thời điểm tiếp nhận thông tin"), db_index=True)
    received_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    forwarded_at = models.DateTimeField(_("thời điểm chuyển về xã"), null=True, blank=True)
    reporter_anonymous = models.BooleanField(_("người báo tin giấu tên"), default=False)
    reporter_name = EncryptedTextField(_("họ tên người báo tin"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("điện thoại người báo tin"), blank=True, default="")
    reporter_address = EncryptedTextField(_("địa chỉ người báo tin"), blank=True, default="")
    reporter_relation = models.CharField(
        _("quan hệ với trẻ em"), max_length=20, choices=ReporterRelation.choices, blank=True
    )
    child = models.ForeignKey(
        "registry.Child",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="protection_cases",
        verbose_name=_("trẻ em (trong sổ theo dõi)"),
    )
    reported_child_name = EncryptedTextField(_("họ tên trẻ em (theo tin báo)"), blank=True, default="")
    reported_child_details = EncryptedTextField(
        _("thông tin khác về trẻ em (theo tin báo)"), blank=True, default=""
    )
    child_birth_date = models.DateField(_("ngày sinh của trẻ em"), null=True, blank=True)
    child_age = models.PositiveSmallIntegerField(_("tuổi khi tiếp nhận"), null=True, blank=True)
    child_sex = models.CharField(
        _("giới tính"), max_length=1, choices=[("m", _("Nam")), ("f", _("Nữ"))], blank=True
    )
    harm_kind = models.CharField(_("hình thức xâm hại, vấn đề"), max_length=20, choices=HarmKind.choices)
    harm_subkind = models.CharField(_("loại cụ thể"), max_length=3, choices=SUBKIND_CHOICES, blank=True)
    setting = models.CharField(_("môi trường xảy ra"), max_length=12, choices=Setting.choices, blank=True)
    occurred_on = models.DateField(_("ngày xảy ra"), null=True, blank=True)
    place = EncryptedTextField(_("nơi xảy ra"), blank=True, default="")
    narrative = EncryptedTextField(_("nội dung sự việc"), blank=True, default="")
    sexual_abuse_details = EncryptedTextField(_("chi tiết về xâm hại tình dục"), blank=True, default="")
    urgency = models.CharField(
        _("mức độ khẩn cấp (theo tin báo)"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    emergency_needed = models.BooleanField(_("cần can thiệp khẩn cấp"), null=True, blank=True)
    finding = models.CharField(
        _("kết quả đánh giá ban đầu"), max_length=10, choices=Finding.choices, default=Finding.PENDING
    )
    risk_level = models.CharField(_("mức độ nguy cơ"), max_length=8, choices=RiskLevel.choices, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, db_index=True
    )
    cycle = models.PositiveSmallIntegerField(_("chu kỳ kế hoạch"), default=1)
    plan_start = models.DateTimeField(_("mốc tính hạn lập kế hoạch"), null=True, blank=True)
    plan_approved_at = models.DateTimeField(_("ngày phê duyệt kế hoạch (chu kỳ đầu)"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày đóng hồ sơ"), null=True, blank=True)
    closure_reason = models.CharField(
        _("lý do đóng"), max_length=12, choices=ClosureReason.choices, blank=True
    )
    reopened_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ bảo vệ trẻ em")
        verbose_name_plural = _("hồ sơ bảo vệ trẻ em")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~Q(external_ref=""),
                name="case_unique_channel_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "status"]),
            models.Index(fields=["commune", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @property
    def child_label(self) -> str:
        """The child's name as known (registry record first)."""
        return self.child.full_name if self.child_id else (self.reported_child_name or "Chưa rõ tên")


class CaseStep(models.Model):
    """One step of the process in one plan cycle, with its deadline and completion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    cycle = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("bước"), max_length=20, choices=StepKind.choices)
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=StepStatus.choices, default=StepStatus.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("bắt đầu"))
    due_at = models.DateTimeField(_("hạn"), null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(_("nội dung (không nhạy cảm)"), default=dict, blank=True)
    notes = EncryptedTextField(_("ghi chú, nhận định"), blank=True, default="")
    late_reason = models.CharField(_("lý do chậm"), max_length=500, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["case", "cycle", "opened_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} (chu kỳ {self.cycle})"

    @property
    def on_time(self) -> bool | None:
        """Whether the step was (or, while open, still is) within its limit; None without a limit."""
        if self.due_at is None or self.completed_at is None:
            return None
        return self.completed_at <= self.due_at


class PlanItem(models.Model):
    """A service or task of the support and intervention plan (Mẫu 04)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_items")
    cycle = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)
    service = models.CharField(_("dịch vụ, hoạt động"), max_length=300)
    service_kind = models.CharField(
        _("lĩnh vực"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.OTHER
    )
    start = models.DateField(_("bắt đầu"))
    end = models.DateField(_("kết thúc"))
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan chịu trách nhiệm"),
    )
    agency_name = models.CharField(_("cơ quan chịu trách nhiệm (ghi)"), max_length=250, blank=True)
    responsible_person = models.CharField(_("người chịu trách nhiệm"), max_length=150, blank=True)
    provider = models.CharField(_("cơ sở cung cấp dịch vụ"), max_length=250, blank=True)
    budget_vnd = models.PositiveBigIntegerField(_("kinh phí (đồng)"), default=0)
    done = models.BooleanField(_("đã thực hiện"), default=False)
    result = models.CharField(_("kết quả"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("hoạt động của kế hoạch")
        verbose_name_plural = _("hoạt động của kế hoạch")
        ordering = ["case", "cycle", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="plan_item_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.service


class Separation(models.Model):
    """A temporary separation of the child (Mẫu 07): at most 15 days (Decree 56/2017, Art. 31)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="separations")
    start = models.DateTimeField(_("bắt đầu cách ly"))
    end = models.DateTimeField(_("kết thúc cách ly (dự kiến)"))
    ended_at = models.DateTimeField(_("đã kết thúc lúc"), null=True, blank=True)
    place = EncryptedTextField(_("nơi chăm sóc tạm thời"), blank=True, default="")
    carer = EncryptedTextField(_("người, cơ sở chăm sóc tạm thời"), blank=True, default="")
    reason = EncryptedTextField(_("lý do"), blank=True, default="")
    decision_number = models.CharField(_("số quyết định"), max_length=40, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("kết quả"), max_length=300, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("tạm thời cách ly")
        verbose_name_plural = _("tạm thời cách ly")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.case} · {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class Referral(models.Model):
    """A referral of the child to a service (health, education, legal aid, police, a facility …)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service = models.CharField(_("dịch vụ"), max_length=20, choices=ServiceKind.choices)
    to_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="protection_referrals",
        verbose_name=_("cơ quan nhận"),
    )
    to_unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("địa bàn cơ quan nhận"),
    )
    to_name = models.CharField(_("nơi nhận (ghi)"), max_length=250, blank=True)
    purpose = models.CharField(_("nội dung đề nghị"), max_length=500)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.SENT,
        db_index=True,
    )
    sent_at = models.DateTimeField(_("ngày gửi"))
    sent_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    responded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("ngày hoàn thành"), null=True, blank=True)
    outcome = EncryptedTextField(_("kết quả"), blank=True, default="")
    consent_override = models.ForeignKey(
        "ConsentOverride", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )

    class Meta:
        verbose_name = _("chuyển gửi dịch vụ")
        verbose_name_plural = _("chuyển gửi dịch vụ")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.case} → {self.get_service_display()} ({self.get_status_display()})"


class Consent(models.Model):
    """Consent to share the case's information with other agencies (Law on Children Art. 6.11; Law 91/2025 Art. 24)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    party = models.CharField(_("người đồng ý"), max_length=8, choices=ConsentParty.choices)
    person_name = EncryptedTextField(_("họ tên"), blank=True, default="")
    given = models.BooleanField(_("đồng ý"), default=True)
    scope = models.CharField(_("phạm vi chia sẻ"), max_length=300, blank=True)
    method = models.CharField(
        _("hình thức"),
        max_length=20,
        choices=[("written", _("Bằng văn bản")), ("oral", _("Bằng lời, có biên bản"))],
        default="written",
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("sự đồng ý chia sẻ thông tin")
        verbose_name_plural = _("sự đồng ý chia sẻ thông tin")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_party_display()}: {'đồng ý' if self.given else 'không đồng ý'}"


class ConsentOverride(models.Model):
    """Sharing without consent in an emergency, with its reason (logged and audited)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consent_overrides")
    reason = models.TextField(_("lý do khẩn cấp"))
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("chia sẻ khẩn cấp không cần đồng ý")
        verbose_name_plural = _("chia sẻ khẩn cấp không cần đồng ý")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case} · {self.at:%d/%m/%Y %H:%M}"


class CaseAssignment(models.Model):
    """A worker assigned to a case (the commune officer assigns; transfers need acceptance)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="protection_assignments")
    primary = models.BooleanField(_("phụ trách chính"), default=True)
    active = models.BooleanField(default=True, db_index=True)
    assigned_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["-primary", "assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(active=True), name="case_assignment_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.user}"


class Transfer(models.Model):
    """A transfer of a case to another worker or commune, effective when the receiver accepts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField(_("loại"), max_length=8, choices=TransferKind.choices)
    to_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhận")
    )
    from_unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường nhận"),
    )
    reason = models.CharField(_("lý do"), max_length=500)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    responded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.CharField(_("ý kiến"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chuyển giao hồ sơ")
        verbose_name_plural = _("chuyển giao hồ sơ")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} ({self.get_status_display()})"


class CaseGrant(models.Model):
    """Access to a case granted explicitly: to a user, or to a role in a unit (need-to-know)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("vai trò"), max_length=30, blank=True)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sensitive = models.BooleanField(_("được xem thông tin nhạy cảm"), default=False)
    reason = models.CharField(_("lý do"), max_length=300)
    granted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cấp quyền xem hồ sơ")
        verbose_name_plural = _("cấp quyền xem hồ sơ")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | (Q(role__gt="") & Q(unit__isnull=False)),
                name="case_grant_user_or_role_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.user or self.role}"


class CasePhoto(models.Model):
    """A photo of the case, stored encrypted in the database."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    caption = EncryptedTextField(_("chú thích"), blank=True, default="")
    content = EncryptedBinaryField()
    content_type = models.CharField(max_length=50)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ảnh")
        verbose_name_plural = _("ảnh")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.case} · ảnh {self.pk}"
