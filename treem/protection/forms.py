"""Forms of the protection pages (labels and messages in Vietnamese; dates typed dd/mm/yyyy)."""

from django import forms
from django.core.exceptions import ValidationError

from treem.accounts.models import Agency, Role, User
from treem.geo.models import AdministrativeUnit, Level

from .codes import (
    SUBKIND_CHOICES,
    Channel,
    ClosureReason,
    ConsentParty,
    Finding,
    HarmKind,
    ReferralStatus,
    ReporterRelation,
    ReviewOutcome,
    RiskLevel,
    ServiceKind,
    Setting,
    TransferKind,
    Urgency,
)

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
REQUIRED = "{label}: bắt buộc."
EMERGENCY_MEASURES = [
    ("medical", "Đưa trẻ em đi khám, chữa bệnh"),
    ("police", "Báo công an, ngăn chặn hành vi xâm hại"),
    ("safe_place", "Bố trí nơi tạm trú an toàn"),
    ("separation", "Tạm thời cách ly khỏi môi trường, người gây tổn hại"),
    ("basic_needs", "Đáp ứng nhu cầu thiết yếu (ăn, mặc, ở)"),
    ("counselling", "Hỗ trợ tâm lý khẩn cấp"),
    ("other", "Biện pháp khác"),
]


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs):
        super().__init__(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}, **kwargs
        )


class DateTimeInput(forms.DateTimeInput):
    def __init__(self, **kwargs):
        super().__init__(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}, **kwargs)


class VNForm(forms.Form):
    """A form whose default messages name the field in Vietnamese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label or ""
            field.error_messages.setdefault("required", REQUIRED.format(label=label))
            field.error_messages["required"] = REQUIRED.format(label=label)
            field.error_messages["invalid"] = f"{label}: không đúng định dạng" + (
                " (dd/mm/yyyy)."
                if isinstance(field, forms.DateField)
                else " (dd/mm/yyyy hh:mm)."
                if isinstance(field, forms.DateTimeField)
                else "."
            )
            field.error_messages["invalid_choice"] = f"{label}: lựa chọn không hợp lệ."
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{label}: phải là số nguyên."
                field.error_messages["min_value"] = f"{label}: không được nhỏ hơn %(limit_value)s."
                field.error_messages["max_value"] = f"{label}: không được lớn hơn %(limit_value)s."

    def apply(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (others at the top)."""
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def _date(label, required=True, **kw):
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput(), **kw
    )


def _datetime(label, required=True, **kw):
    return forms.DateTimeField(
        label=label, required=required, input_formats=DATETIME_FORMATS, widget=DateTimeInput(), **kw
    )


def _text(label, required=False, rows=3):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


LATE = forms.CharField(label="Lý do chậm (khi đã quá hạn)", required=False, max_length=500)


class IntakeForm(VNForm):
    """Mẫu 01: a notification from any channel."""

    commune = forms.ModelChoiceField(
        label="Xã, phường nơi xảy ra", queryset=AdministrativeUnit.objects.none()
    )
    channel = forms.ChoiceField(label="Kênh tiếp nhận", choices=Channel.choices)
    received_at = _datetime("Thời điểm tiếp nhận", required=False, help_text="để trống: bây giờ")
    urgency = forms.ChoiceField(label="Mức độ khẩn cấp", choices=Urgency.choices, initial=Urgency.NORMAL)
    harm_kind = forms.ChoiceField(
        label="Hình thức xâm hại, vấn đề", choices=[("", "—")] + list(HarmKind.choices)
    )
    harm_subkind = forms.ChoiceField(
        label="Loại cụ thể", choices=[("", "—")] + SUBKIND_CHOICES, required=False
    )
    setting = forms.ChoiceField(label="Môi trường xảy ra", choices=Setting.choices, required=False)
    occurred_on = _date("Ngày xảy ra", required=False)
    place = forms.CharField(label="Nơi xảy ra", required=False, max_length=500)
    narrative = _text("Nội dung sự việc", rows=5)
    sexual_abuse_details = _text("Chi tiết về xâm hại tình dục (chỉ khi là xâm hại tình dục)")
    reported_child_name = forms.CharField(label="Họ và tên trẻ em", required=False, max_length=200)
    child_birth_date = _date("Ngày sinh của trẻ em", required=False)
    child_age = forms.IntegerField(
        label="Tuổi (khi không biết ngày sinh)", required=False, min_value=0, max_value=15
    )
    child_sex = forms.ChoiceField(
        label="Giới tính", choices=[("", "Chưa rõ"), ("m", "Nam"), ("f", "Nữ")], required=False
    )
    reported_child_details = _text("Thông tin khác về trẻ em (địa chỉ, trường, người chăm sóc)")
    reporter_anonymous = forms.BooleanField(label="Người báo tin giấu tên", required=False)
    reporter_name = forms.CharField(label="Họ tên người báo tin", required=False, max_length=200)
    reporter_phone = forms.CharField(label="Điện thoại người báo tin", required=False, max_length=30)
    reporter_address = forms.CharField(label="Địa chỉ người báo tin", required=False, max_length=300)
    reporter_relation = forms.ChoiceField(
        label="Quan hệ với trẻ em", choices=ReporterRelation.choices, required=False
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            communes if communes is not None else AdministrativeUnit.objects.none()
        )


class AssessmentForm(VNForm):
    """Mẫu 02: initial risk assessment."""

    finding = forms.ChoiceField(
        label="Kết quả đánh giá ban đầu", choices=[c for c in Finding.choices if c[0] != Finding.PENDING]
    )
    risk_level = forms.ChoiceField(
        label="Mức độ nguy cơ", choices=[("", "—")] + list(RiskLevel.choices), required=False
    )
    emergency_needed = forms.BooleanField(label="Cần can thiệp khẩn cấp (trong 12 giờ)", required=False)
    child = forms.ModelChoiceField(label="Trẻ em trong sổ theo dõi", queryset=None, required=False)
    create_child = forms.BooleanField(label="Tạo hồ sơ trẻ em tạm thời từ tin báo", required=False)
    child_name = forms.CharField(label="Họ và tên trẻ em (hồ sơ tạm thời)", required=False, max_length=200)
    notes = _text("Nhận định", rows=4)
    late_reason = LATE

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        from treem.registry.models import Child

        self.fields["child"].queryset = children if children is not None else Child.objects.none()


class EmergencyForm(VNForm):
    measures = forms.MultipleChoiceField(
        label="Biện pháp can thiệp khẩn cấp", choices=EMERGENCY_MEASURES, widget=forms.CheckboxSelectMultiple
    )
    notes = _text("Diễn biến, kết quả")
    late_reason = LATE


class SeparationForm(VNForm):
    """Mẫu 07: temporary separation (at most 15 days)."""

    start = _datetime("Bắt đầu cách ly")
    end = _datetime("Kết thúc cách ly (tối đa 15 ngày)")
    place = forms.CharField(label="Nơi chăm sóc tạm thời", required=False, max_length=300)
    carer = forms.CharField(label="Người, cơ sở chăm sóc tạm thời", required=False, max_length=300)
    reason = _text("Lý do")
    decision_number = forms.CharField(label="Số quyết định", required=False, max_length=40)


class EndSeparationForm(VNForm):
    outcome = forms.CharField(label="Kết quả (trẻ em trở về gia đình, chăm sóc thay thế …)", max_length=300)


class InfoForm(VNForm):
    """Mẫu 03: information gathering, specific risk assessment, needs meeting."""

    meeting_date = _date("Ngày họp đánh giá nhu cầu")
    participants = forms.CharField(label="Thành phần dự họp", required=False, max_length=500)
    risk_level = forms.ChoiceField(
        label="Mức độ nguy cơ", choices=[("", "—")] + list(RiskLevel.choices), required=False
    )
    needs = _text("Nhu cầu của trẻ em và gia đình", rows=4)
    late_reason = LATE


class PlanItemForm(VNForm):
    """One service of the plan (Mẫu 04)."""

    service = forms.CharField(label="Dịch vụ, hoạt động", max_length=300)
    service_kind = forms.ChoiceField(label="Lĩnh vực", choices=ServiceKind.choices, initial=ServiceKind.OTHER)
    start = _date("Ngày bắt đầu")
    end = _date("Ngày kết thúc")
    agency = forms.ModelChoiceField(
        label="Cơ quan chịu trách nhiệm", queryset=Agency.objects.none(), required=False
    )
    agency_name = forms.CharField(
        label="Cơ quan chịu trách nhiệm (ghi, khi không có trong danh mục)", required=False, max_length=250
    )
    responsible_person = forms.CharField(label="Người chịu trách nhiệm", required=False, max_length=150)
    provider = forms.CharField(label="Cơ sở cung cấp dịch vụ", required=False, max_length=250)
    budget_vnd = forms.IntegerField(label="Kinh phí (đồng)", required=False, min_value=0, initial=0)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies


class SubmitPlanForm(VNForm):
    objectives = _text("Mục tiêu của kế hoạch")
    late_reason = LATE


class ApproveForm(VNForm):
    decision_number = forms.CharField(label="Số quyết định (Mẫu 05)", required=False, max_length=40)
    notify_implementers = forms.BooleanField(label="Đã gửi cơ quan, cá nhân thực hiện", required=False)
    notify_family = forms.BooleanField(label="Đã thông báo cha, mẹ hoặc người chăm sóc", required=False)
    late_reason = LATE


class ReasonForm(VNForm):
    reason = forms.CharField(label="Lý do", max_length=500)


class ReviewForm(VNForm):
    """Mẫu 06: review and closure, or a new cycle."""

    outcome = forms.ChoiceField(label="Kết luận", choices=ReviewOutcome.choices)
    closure_reason = forms.ChoiceField(
        label="Lý do đóng hồ sơ", choices=ClosureReason.choices, required=False, initial=ClosureReason.STABLE
    )
    decided_on = _date("Ngày Chủ tịch UBND xã quyết định", required=False)
    notes = _text("Đánh giá kết quả", rows=4)
    late_reason = LATE


class ConsentForm(VNForm):
    party = forms.ChoiceField(label="Người đồng ý", choices=ConsentParty.choices)
    given = forms.TypedChoiceField(
        label="Ý kiến", choices=[("1", "Đồng ý chia sẻ"), ("0", "Không đồng ý")], coerce=lambda v: v == "1"
    )
    person_name = forms.CharField(label="Họ và tên", required=False, max_length=200)
    scope = forms.CharField(label="Phạm vi chia sẻ (cơ quan, mục đích)", required=False, max_length=300)
    method = forms.ChoiceField(
        label="Hình thức", choices=[("written", "Bằng văn bản"), ("oral", "Bằng lời, có biên bản")]
    )


class ReferralForm(VNForm):
    service = forms.ChoiceField(label="Dịch vụ", choices=ServiceKind.choices)
    to_agency = forms.ModelChoiceField(label="Cơ quan nhận", queryset=Agency.objects.none(), required=False)
    to_name = forms.CharField(
        label="Nơi nhận (ghi, khi không có trong danh mục)", required=False, max_length=250
    )
    purpose = forms.CharField(label="Nội dung đề nghị", max_length=500)
    override_reason = _text("Lý do khẩn cấp chia sẻ khi chưa có sự đồng ý (ghi nhật ký)")

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["to_agency"].queryset = agencies


class ReferralUpdateForm(VNForm):
    status = forms.ChoiceField(
        label="Tình trạng", choices=[c for c in ReferralStatus.choices if c[0] != ReferralStatus.SENT]
    )
    outcome = _text("Kết quả")


class AssignForm(VNForm):
    worker = forms.ModelChoiceField(label="Người được phân công", queryset=User.objects.none())
    primary = forms.BooleanField(label="Phụ trách chính", required=False)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workers is not None:
            self.fields["worker"].queryset = workers


class TransferForm(VNForm):
    kind = forms.ChoiceField(label="Loại chuyển giao", choices=TransferKind.choices)
    to_user = forms.ModelChoiceField(
        label="Người nhận (chuyển cho người khác)", queryset=User.objects.none(), required=False
    )
    to_unit_code = forms.CharField(
        label="Mã xã, phường nhận (5 chữ số, danh mục từ 01/7/2025)", required=False, max_length=5
    )
    reason = forms.CharField(label="Lý do", max_length=500)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workers is not None:
            self.fields["to_user"].queryset = workers

    def clean_to_unit_code(self):
        code = (self.cleaned_data.get("to_unit_code") or "").strip()
        if not code:
            return None
        unit = AdministrativeUnit.objects.current().filter(level=Level.COMMUNE, code=code).first()
        if unit is None:
            raise ValidationError(
                f"Mã xã, phường nhận: «{code}» không có trong danh mục xã, phường hiện nay."
            )
        return unit


class TransferResponseForm(VNForm):
    accept = forms.TypedChoiceField(
        label="Trả lời", choices=[("1", "Tiếp nhận"), ("0", "Từ chối")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="Ý kiến (bắt buộc khi từ chối)", required=False, max_length=500)


class GrantForm(VNForm):
    username = forms.CharField(label="Tên đăng nhập người được cấp quyền", required=False, max_length=150)
    role = forms.ChoiceField(label="Hoặc: vai trò", choices=[("", "—")] + list(Role.choices), required=False)
    unit_code = forms.CharField(label="… tại đơn vị (mã)", required=False, max_length=20)
    sensitive = forms.BooleanField(label="Được xem nội dung nhạy cảm", required=False)
    reason = forms.CharField(label="Lý do", max_length=300)
    expires_at = _datetime("Hết hạn", required=False)

    def clean(self):
        data = super().clean()
        name = (data.get("username") or "").strip()
        data["to_user"] = None
        if name:
            data["to_user"] = User.objects.filter(username=name, is_active=True).first()
            if data["to_user"] is None:
                self.add_error("username", f"Tên đăng nhập: không có người dùng «{name}».")
        code = (data.get("unit_code") or "").strip()
        data["unit"] = None
        if code:
            data["unit"] = AdministrativeUnit.objects.current().filter(code=code).order_by("level").first()
            if data["unit"] is None:
                self.add_error("unit_code", f"Đơn vị: mã «{code}» không có trong danh mục hiện nay.")
        return data


class PhotoForm(VNForm):
    photo = forms.FileField(label="Ảnh (JPEG, PNG, tối đa 5 MB)")
    caption = forms.CharField(label="Chú thích", required=False, max_length=300)


class PlanItemDoneForm(VNForm):
    done = forms.BooleanField(label="Đã thực hiện", required=False)
    result = forms.CharField(label="Kết quả", required=False, max_length=500)


class StatsForm(VNForm):
    period = forms.CharField(label="Kỳ (2025, 2025S1, 2025Q1, 202501)", max_length=8)
