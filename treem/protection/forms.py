"""Forms of the protection pages (labels and messages in Vietnamese; dates typed dd/mm/yyyy)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
EMERGENCY_MEASURES = [
    ("medical", _("Đưa trẻ em đi khám, chữa bệnh")),
    ("police", _("Báo công an, ngăn chặn hành vi xâm hại")),
    ("safe_place", _("Bố trí nơi tạm trú an toàn")),
    ("separation", _("Tạm thời cách ly khỏi môi trường, người gây tổn hại")),
    ("basic_needs", _("Đáp ứng nhu cầu thiết yếu (ăn, mặc, ở)")),
    ("counselling", _("Hỗ trợ tâm lý khẩn cấp")),
    ("other", _("Biện pháp khác")),
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
            names = {"label": field.label or "", "limit_value": "%(limit_value)s"}
            field.error_messages["required"] = gettext("%(label)s: bắt buộc.") % names
            field.error_messages["invalid"] = (
                gettext("%(label)s: không đúng định dạng (dd/mm/yyyy).")
                if isinstance(field, forms.DateField)
                else gettext("%(label)s: không đúng định dạng (dd/mm/yyyy hh:mm).")
                if isinstance(field, forms.DateTimeField)
                else gettext("%(label)s: không đúng định dạng.")
            ) % names
            field.error_messages["invalid_choice"] = gettext("%(label)s: lựa chọn không hợp lệ.") % names
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = gettext("%(label)s: phải là số nguyên.") % names
                field.error_messages["min_value"] = (
                    gettext("%(label)s: không được nhỏ hơn %(limit_value)s.") % names
                )
                field.error_messages["max_value"] = (
                    gettext("%(label)s: không được lớn hơn %(limit_value)s.") % names
                )

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


LATE = forms.CharField(label=_("Lý do chậm (khi đã quá hạn)"), required=False, max_length=500)


class IntakeForm(VNForm):
    """Mẫu 01: a notification from any channel."""

    commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi xảy ra"), queryset=AdministrativeUnit.objects.none()
    )
    channel = forms.ChoiceField(label=_("Kênh tiếp nhận"), choices=Channel.choices)
    received_at = _datetime(_("Thời điểm tiếp nhận"), required=False, help_text=_("để trống: bây giờ"))
    urgency = forms.ChoiceField(label=_("Mức độ khẩn cấp"), choices=Urgency.choices, initial=Urgency.NORMAL)
    harm_kind = forms.ChoiceField(
        label=_("Hình thức xâm hại, vấn đề"), choices=[("", "—")] + list(HarmKind.choices)
    )
    harm_subkind = forms.ChoiceField(
        label=_("Loại cụ thể"), choices=[("", "—")] + SUBKIND_CHOICES, required=False
    )
    setting = forms.ChoiceField(label=_("Môi trường xảy ra"), choices=Setting.choices, required=False)
    occurred_on = _date(_("Ngày xảy ra"), required=False)
    place = forms.CharField(label=_("Nơi xảy ra"), required=False, max_length=500)
    narrative = _text(_("Nội dung sự việc"), rows=5)
    sexual_abuse_details = _text(_("Chi tiết về xâm hại tình dục (chỉ khi là xâm hại tình dục)"))
    reported_child_name = forms.CharField(label=_("Họ và tên trẻ em"), required=False, max_length=200)
    child_birth_date = _date(_("Ngày sinh của trẻ em"), required=False)
    child_age = forms.IntegerField(
        label=_("Tuổi (khi không biết ngày sinh)"), required=False, min_value=0, max_value=15
    )
    child_sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", _("Chưa rõ")), ("m", _("Nam")), ("f", _("Nữ"))], required=False
    )
    reported_child_details = _text(_("Thông tin khác về trẻ em (địa chỉ, trường, người chăm sóc)"))
    reporter_anonymous = forms.BooleanField(label=_("Người báo tin giấu tên"), required=False)
    reporter_name = forms.CharField(label=_("Họ tên người báo tin"), required=False, max_length=200)
    reporter_phone = forms.CharField(label=_("Điện thoại người báo tin"), required=False, max_length=30)
    reporter_address = forms.CharField(label=_("Địa chỉ người báo tin"), required=False, max_length=300)
    reporter_relation = forms.ChoiceField(
        label=_("Quan hệ với trẻ em"), choices=ReporterRelation.choices, required=False
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            communes if communes is not None else AdministrativeUnit.objects.none()
        )


class AssessmentForm(VNForm):
    """Mẫu 02: initial risk assessment."""

    finding = forms.ChoiceField(
        label=_("Kết quả đánh giá ban đầu"), choices=[c for c in Finding.choices if c[0] != Finding.PENDING]
    )
    risk_level = forms.ChoiceField(
        label=_("Mức độ nguy cơ"), choices=[("", "—")] + list(RiskLevel.choices), required=False
    )
    emergency_needed = forms.BooleanField(label=_("Cần can thiệp khẩn cấp (trong 12 giờ)"), required=False)
    child = forms.ModelChoiceField(label=_("Trẻ em trong sổ theo dõi"), queryset=None, required=False)
    create_child = forms.BooleanField(label=_("Tạo hồ sơ trẻ em tạm thời từ tin báo"), required=False)
    child_name = forms.CharField(label=_("Họ và tên trẻ em (hồ sơ tạm thời)"), required=False, max_length=200)
    notes = _text(_("Nhận định"), rows=4)
    late_reason = LATE

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        from treem.registry.models import Child

        self.fields["child"].queryset = children if children is not None else Child.objects.none()


class EmergencyForm(VNForm):
    measures = forms.MultipleChoiceField(
        label=_("Biện pháp can thiệp khẩn cấp"),
        choices=EMERGENCY_MEASURES,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = _text(_("Diễn biến, kết quả"))
    late_reason = LATE


class SeparationForm(VNForm):
    """Mẫu 07: temporary separation (at most 15 days)."""

    start = _datetime(_("Bắt đầu cách ly"))
    end = _datetime(_("Kết thúc cách ly (tối đa 15 ngày)"))
    place = forms.CharField(label=_("Nơi chăm sóc tạm thời"), required=False, max_length=300)
    carer = forms.CharField(label=_("Người, cơ sở chăm sóc tạm thời"), required=False, max_length=300)
    reason = _text(_("Lý do"))
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=40)


class EndSeparationForm(VNForm):
    outcome = forms.CharField(
        label=_("Kết quả (trẻ em trở về gia đình, chăm sóc thay thế …)"), max_length=300
    )


class InfoForm(VNForm):
    """Mẫu 03: information gathering, specific risk assessment, needs meeting."""

    meeting_date = _date(_("Ngày họp đánh giá nhu cầu"))
    participants = forms.CharField(label=_("Thành phần dự họp"), required=False, max_length=500)
    risk_level = forms.ChoiceField(
        label=_("Mức độ nguy cơ"), choices=[("", "—")] + list(RiskLevel.choices), required=False
    )
    needs = _text(_("Nhu cầu của trẻ em và gia đình"), rows=4)
    late_reason = LATE


class PlanItemForm(VNForm):
    """One service of the plan (Mẫu 04)."""

    service = forms.CharField(label=_("Dịch vụ, hoạt động"), max_length=300)
    service_kind = forms.ChoiceField(
        label=_("Lĩnh vực"), choices=ServiceKind.choices, initial=ServiceKind.OTHER
    )
    start = _date(_("Ngày bắt đầu"))
    end = _date(_("Ngày kết thúc"))
    agency = forms.ModelChoiceField(
        label=_("Cơ quan chịu trách nhiệm"), queryset=Agency.objects.none(), required=False
    )
    agency_name = forms.CharField(
        label=_("Cơ quan chịu trách nhiệm (ghi, khi không có trong danh mục)"), required=False, max_length=250
    )
    responsible_person = forms.CharField(label=_("Người chịu trách nhiệm"), required=False, max_length=150)
    provider = forms.CharField(label=_("Cơ sở cung cấp dịch vụ"), required=False, max_length=250)
    budget_vnd = forms.IntegerField(label=_("Kinh phí (đồng)"), required=False, min_value=0, initial=0)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies


class SubmitPlanForm(VNForm):
    objectives = _text(_("Mục tiêu của kế hoạch"))
    late_reason = LATE


class ApproveForm(VNForm):
    decision_number = forms.CharField(label=_("Số quyết định (Mẫu 05)"), required=False, max_length=40)
    notify_implementers = forms.BooleanField(label=_("Đã gửi cơ quan, cá nhân thực hiện"), required=False)
    notify_family = forms.BooleanField(label=_("Đã thông báo cha, mẹ hoặc người chăm sóc"), required=False)
    late_reason = LATE


class ReasonForm(VNForm):
    reason = forms.CharField(label=_("Lý do"), max_length=500)


class ReviewForm(VNForm):
    """Mẫu 06: review and closure, or a new cycle."""

    outcome = forms.ChoiceField(label=_("Kết luận"), choices=ReviewOutcome.choices)
    closure_reason = forms.ChoiceField(
        label=_("Lý do đóng hồ sơ"),
        choices=ClosureReason.choices,
        required=False,
        initial=ClosureReason.STABLE,
    )
    decided_on = _date(_("Ngày Chủ tịch UBND xã quyết định"), required=False)
    notes = _text(_("Đánh giá kết quả"), rows=4)
    late_reason = LATE


class ConsentForm(VNForm):
    party = forms.ChoiceField(label=_("Người đồng ý"), choices=ConsentParty.choices)
    given = forms.TypedChoiceField(
        label=_("Ý kiến"),
        choices=[("1", _("Đồng ý chia sẻ")), ("0", _("Không đồng ý"))],
        coerce=lambda v: v == "1",
    )
    person_name = forms.CharField(label=_("Họ và tên"), required=False, max_length=200)
    scope = forms.CharField(label=_("Phạm vi chia sẻ (cơ quan, mục đích)"), required=False, max_length=300)
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=[("written", _("Bằng văn bản")), ("oral", _("Bằng lời, có biên bản"))]
    )


class ReferralForm(VNForm):
    service = forms.ChoiceField(label=_("Dịch vụ"), choices=ServiceKind.choices)
    to_agency = forms.ModelChoiceField(
        label=_("Cơ quan nhận"), queryset=Agency.objects.none(), required=False
    )
    to_name = forms.CharField(
        label=_("Nơi nhận (ghi, khi không có trong danh mục)"), required=False, max_length=250
    )
    purpose = forms.CharField(label=_("Nội dung đề nghị"), max_length=500)
    override_reason = _text(_("Lý do khẩn cấp chia sẻ khi chưa có sự đồng ý (ghi nhật ký)"))

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["to_agency"].queryset = agencies


class ReferralUpdateForm(VNForm):
    status = forms.ChoiceField(
        label=_("Tình trạng"), choices=[c for c in ReferralStatus.choices if c[0] != ReferralStatus.SENT]
    )
    outcome = _text(_("Kết quả"))


class AssignForm(VNForm):
    worker = forms.ModelChoiceField(label=_("Người được phân công"), queryset=User.objects.none())
    primary = forms.BooleanField(label=_("Phụ trách chính"), required=False)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workers is not None:
            self.fields["worker"].queryset = workers


class TransferForm(VNForm):
    kind = forms.ChoiceField(label=_("Loại chuyển giao"), choices=TransferKind.choices)
    to_user = forms.ModelChoiceField(
        label=_("Người nhận (chuyển cho người khác)"), queryset=User.objects.none(), required=False
    )
    to_unit_code = forms.CharField(
        label=_("Mã xã, phường nhận (5 chữ số, danh mục từ 01/7/2025)"), required=False, max_length=5
    )
    reason = forms.CharField(label=_("Lý do"), max_length=500)

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
                gettext("Mã xã, phường nhận: «%(code)s» không có trong danh mục xã, phường hiện nay.")
                % {"code": code}
            )
        return unit


class TransferResponseForm(VNForm):
    accept = forms.TypedChoiceField(
        label=_("Trả lời"), choices=[("1", _("Tiếp nhận")), ("0", _("Từ chối"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Ý kiến (bắt buộc khi từ chối)"), required=False, max_length=500)


class GrantForm(VNForm):
    username = forms.CharField(label=_("Tên đăng nhập người được cấp quyền"), required=False, max_length=150)
    role = forms.ChoiceField(
        label=_("Hoặc: vai trò"), choices=[("", "—")] + list(Role.choices), required=False
    )
    unit_code = forms.CharField(label=_("… tại đơn vị (mã)"), required=False, max_length=20)
    sensitive = forms.BooleanField(label=_("Được xem nội dung nhạy cảm"), required=False)
    reason = forms.CharField(label=_("Lý do"), max_length=300)
    expires_at = _datetime(_("Hết hạn"), required=False)

    def clean(self):
        data = super().clean()
        name = (data.get("username") or "").strip()
        data["to_user"] = None
        if name:
            data["to_user"] = User.objects.filter(username=name, is_active=True).first()
            if data["to_user"] is None:
                self.add_error(
                    "username", gettext("Tên đăng nhập: không có người dùng «%(name)s».") % {"name": name}
                )
        code = (data.get("unit_code") or "").strip()
        data["unit"] = None
        if code:
            data["unit"] = AdministrativeUnit.objects.current().filter(code=code).order_by("level").first()
            if data["unit"] is None:
                self.add_error(
                    "unit_code",
                    gettext("Đơn vị: mã «%(code)s» không có trong danh mục hiện nay.") % {"code": code},
                )
        return data


class PhotoForm(VNForm):
    photo = forms.FileField(label=_("Ảnh (JPEG, PNG, tối đa 5 MB)"))
    caption = forms.CharField(label=_("Chú thích"), required=False, max_length=300)


class PlanItemDoneForm(VNForm):
    done = forms.BooleanField(label=_("Đã thực hiện"), required=False)
    result = forms.CharField(label=_("Kết quả"), required=False, max_length=500)


class StatsForm(VNForm):
    period = forms.CharField(label=_("Kỳ (2025, 2025S1, 2025Q1, 202501)"), max_length=8)
