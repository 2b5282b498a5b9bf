"""Forms of the registry pages: a child, its related records, search, import and review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.accounts.scoping import editable_units
from treem.core.text import nfc
from treem.geo.forms import VNDateField
from treem.geo.models import AdministrativeUnit, Level

from . import policy
from .cleaning import ERROR, resolve_date, split_date
from .codes import (
    DEFAULT_ETHNIC_LIST,
    ETHNIC_LISTS,
    Article10,
    ChildStatus,
    DatePrecision,
    Sex,
    ethnic_choices,
)
from .imports import FIELDS
from .models import (
    Caregiver,
    Child,
    EpiDose,
    GrowthMeasurement,
    ImportBatch,
    Schooling,
    SpecialCircumstance,
    Support,
)


class TypedDateField(forms.CharField):
    """A date as people type it: 05/03/2019, 03/2019 or 2019 → (date, precision)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": _("05/03/2019, 03/2019 hoặc 2019"), "size": 14})
        )
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None, DatePrecision.DAY
        parts = split_date(value)
        result = resolve_date(parts, "dmy", str(self.label), value)
        errors = [i.message for i in result.issues if i.severity == ERROR]
        if errors:
            raise forms.ValidationError(errors[0])
        return result.value, result.extra.get("precision", DatePrecision.DAY)


def commune_queryset(user):
    """Current communes the user may write children in."""
    return (
        AdministrativeUnit.objects.current()
        .filter(level=Level.COMMUNE, id__in=editable_units(user).values("id"))
        .select_related("parent")
        .order_by("parent__code", "code")
    )


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} – {obj.parent.name}" if obj.parent_id else obj.full_name


class ChildForm(forms.ModelForm):
    """A child's identity, residence, birth registration and (for roles allowed them) sensitive fields."""

    birth = TypedDateField(label=_("Ngày sinh"), required=True)
    commune = CommuneChoiceField(label=_("Xã, phường nơi ở"), queryset=AdministrativeUnit.objects.none())
    ethnicity_code = forms.ChoiceField(label=_("Dân tộc"), required=False)
    birth_registration_date = VNDateField(label=_("Ngày đăng ký khai sinh"), required=False)
    field_order = [
        "full_name",
        "birth",
        "sex",
        "ethnicity_code",
        "personal_id",
        "commune",
        "village_name",
        "address",
    ]

    class Meta:
        model = Child
        fields = [
            "full_name",
            "sex",
            "ethnicity_code",
            "personal_id",
            "commune",
            "village_name",
            "address",
            "birth_registration",
            "birth_registration_date",
            "birth_registration_place",
            "disability_type",
            "disability_level",
            "status",
        ]
        widgets = {"full_name": forms.TextInput(attrs={"autofocus": True, "size": 40})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        access = policy.Access(user)
        self.fields["commune"].queryset = commune_queryset(user)
        self.fields["sex"].choices = [("", "—")] + list(Sex.choices)
        self.fields["ethnicity_code"].choices = [("", "—")] + ethnic_choices(
            self.instance.ethnicity_list or DEFAULT_ETHNIC_LIST
        )
        self.fields["status"].choices = [c for c in ChildStatus.choices if c[0] != ChildStatus.MERGED]
        self.fields["village_name"].label = _("Thôn, tổ dân phố")
        if self.instance.pk:
            self.fields["birth"].initial = self.instance.birth_date_display
            allowed = access.groups(self.instance)
        else:
            allowed = {g for g in policy.SENSITIVE_GROUPS if access.any_unit_ids(g)}
            if self.fields["commune"].queryset.count() == 1:
                self.fields["commune"].initial = self.fields["commune"].queryset.first()
        for group, names in policy.CHILD_FIELDS.items():
            if group not in allowed:
                for name in names:
                    self.fields.pop(name, None)

    def clean_full_name(self):
        return " ".join(nfc(self.cleaned_data["full_name"]).split())

    def clean(self):
        data = super().clean()
        birth = data.get("birth")
        if birth:
            data["birth_date"], data["birth_date_precision"] = birth
        return data

    def child_data(self) -> dict:
        """The cleaned values as service input."""
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        data["birth_date"] = self.cleaned_data.get("birth_date")
        data["birth_date_precision"] = self.cleaned_data.get("birth_date_precision", DatePrecision.DAY)
        if data.get("ethnicity_code"):
            data["ethnicity_list"] = self.instance.ethnicity_list or DEFAULT_ETHNIC_LIST
        return data


class ChildSearchForm(forms.Form):
    """Search the children a user may see."""

    q = forms.CharField(
        label=_("Họ tên"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: nguyen van an")}),
    )
    commune = CommuneChoiceField(
        label=_("Xã, phường"), required=False, queryset=AdministrativeUnit.objects.none()
    )
    born_from = forms.IntegerField(label=_("Sinh từ năm"), required=False, min_value=1990, max_value=2100)
    born_to = forms.IntegerField(label=_("đến năm"), required=False, min_value=1990, max_value=2100)
    sex = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=[("", _("Tất cả"))] + list(Sex.choices)
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Đang quản lý và tạm thời"))] + list(ChildStatus.choices),
    )
    group = forms.ChoiceField(
        label=_("Hoàn cảnh đặc biệt"), required=False, choices=[("", _("Tất cả"))] + list(Article10.choices)
    )

    def __init__(self, *args, user, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        if not policy.Access(user).any_unit_ids(policy.CIRCUMSTANCES):
            self.fields.pop("group")


class CaregiverForm(forms.ModelForm):
    class Meta:
        model = Caregiver
        fields = [
            "relationship",
            "full_name",
            "birth_year",
            "personal_id",
            "phone",
            "is_primary",
            "lives_with_child",
            "deceased",
        ]


class CircumstanceForm(forms.ModelForm):
    from_date = VNDateField(label=_("Từ ngày"))
    to_date = VNDateField(label=_("Đến ngày"), required=False)

    class Meta:
        model = SpecialCircumstance
        fields = ["group", "subgroup", "from_date", "to_date", "note"]


class SupportForm(forms.ModelForm):
    from_date = VNDateField(label=_("Từ ngày"))
    to_date = VNDateField(label=_("Đến ngày"), required=False)

    class Meta:
        model = Support
        fields = ["circumstance", "kind", "provider", "from_date", "to_date", "amount_vnd", "note"]

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circumstance"].queryset = child.circumstances.all()


class SchoolingForm(forms.ModelForm):
    status_date = VNDateField(label=_("Ngày ghi nhận"), required=False)

    class Meta:
        model = Schooling
        fields = ["school_year", "level", "grade", "school_name", "status", "status_date"]


class VaccinationForm(forms.Form):
    dose = forms.ModelChoiceField(label=_("Vắc xin, mũi"), queryset=EpiDose.objects.all())
    date = VNDateField(label=_("Ngày tiêm"))
    place = forms.CharField(label=_("Nơi tiêm"), required=False, max_length=250)


class MeasurementForm(forms.ModelForm):
    measured_on = VNDateField(label=_("Ngày cân đo"))

    class Meta:
        model = GrowthMeasurement
        fields = ["measured_on", "weight_kg", "lenhei_cm", "measure", "oedema"]


class UploadForm(forms.Form):
    """An Excel or CSV list to import, for a unit the user may write in."""

    file = forms.FileField(label=_("Tệp danh sách (.xlsx hoặc .csv)"))
    unit = forms.ModelChoiceField(
        label=_("Địa bàn của danh sách"), queryset=AdministrativeUnit.objects.none()
    )
    list_generation = forms.ChoiceField(
        label=_("Danh sách lập theo đơn vị hành chính"),
        required=False,
        choices=ImportBatch._meta.get_field("list_generation").choices,
    )
    ethnicity_list = forms.ChoiceField(
        label=_("Mã dân tộc (nếu ghi bằng số) theo"), choices=list(ETHNIC_LISTS.items())
    )
    sheet = forms.CharField(label=_("Trang tính (để trống = trang đầu)"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            editable_units(user)
            .filter(level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE])
            .current()
            .order_by("level", "code")
        )
        self.fields["unit"].label_from_instance = lambda u: u.full_name


class MappingForm(forms.Form):
    """One choice per column heading: which field it holds."""

    skip_errors = forms.BooleanField(label=_("Bỏ qua các dòng có lỗi khi ghi vào sổ"), required=False)

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(bỏ qua cột này)"))] + list(FIELDS.items())
        self.headers = list(batch.headers)
        for i, h in enumerate(self.headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=h, choices=choices, required=False, initial=batch.mapping.get(h, "")
            )
        self.fields["skip_errors"].initial = batch.skip_errors

    def mapping(self) -> dict:
        return {h: self.cleaned_data.get(f"col_{i}", "") for i, h in enumerate(self.headers)}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Cùng một trẻ — gộp")), ("reject", _("Khác trẻ"))])
    keep = forms.ChoiceField(choices=[("left", "left"), ("right", "right")], required=False)


class LinkageRunForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Việc"),
        choices=[
            ("dedupe", _("Tìm hồ sơ trùng trong sổ")),
            ("register", _("Đối chiếu CSDL quốc gia về dân cư")),
        ],
    )
    unit = forms.ModelChoiceField(label=_("Địa bàn"), queryset=AdministrativeUnit.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.full_name
