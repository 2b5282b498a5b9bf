"""Forms of the unit pages: searching units, choosing a date, adding a village."""

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.core.text import nfc

from .models import Generation, Level, UnitType
from .services import VILLAGE_TYPES

TYPE_WORDS = {
    UnitType.THON: "thôn",
    UnitType.TO_DAN_PHO: "tổ dân phố",
    UnitType.BAN: "bản",
    UnitType.AP: "ấp",
}
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


class VNDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (ISO yyyy-mm-dd also accepted)."""

    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": _("Ngày không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 30/06/2025.")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 11}
            ),
        )
        super().__init__(**kwargs)


class UnitSearchForm(forms.Form):
    """Search the units a user may see by name, level and generation."""

    q = forms.CharField(
        label=_("Tên đơn vị"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: văn quan")}),
    )
    level = forms.TypedChoiceField(
        label=_("Cấp"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả"))] + [(v, label) for v, label in Level.choices if v != Level.COUNTRY],
    )
    generation = forms.ChoiceField(
        label=_("Thế hệ"), required=False, choices=[("", _("Tất cả"))] + list(Generation.choices)
    )


class UnitDateForm(forms.Form):
    """The date at which a unit's children are listed."""

    at = VNDateField(label=_("Tại ngày"), required=False)


class VillageForm(forms.Form):
    """A new village or residential group under a commune."""

    type = forms.ChoiceField(
        label=_("Loại"),
        choices=[(t.value, t.label) for t in UnitType if t in VILLAGE_TYPES],
        initial=UnitType.THON,
    )
    name = forms.CharField(
        label=_("Tên"),
        max_length=150,
        error_messages={"required": _("Vui lòng nhập tên thôn, tổ dân phố.")},
        help_text=_("Chỉ ghi tên riêng, ví dụ: Nà Pàn (không ghi chữ “Thôn”)."),
    )
    code = forms.CharField(
        label=_("Mã (không bắt buộc)"),
        max_length=20,
        required=False,
        help_text=_("Để trống để hệ thống tự đặt mã theo mã xã."),
    )

    def clean(self):
        """Drop a leading type word typed by habit (type Thôn, name "Thôn Nà Pàn" → "Nà Pàn")."""
        data = super().clean()
        name, kind = " ".join(nfc(data.get("name") or "").split()), data.get("type")
        word = TYPE_WORDS.get(kind, "")
        if name and word and name.lower().startswith(word + " "):
            name = name[len(word) :].strip()
        if "name" in data:
            data["name"] = name
        return data
