"""The upload form: a plan document and the unit that issued it (one the user may edit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.accounts.scoping import editable_units
from treem.geo.models import AdministrativeUnit, Generation

from . import services

ACCEPT = ".txt,.md,.docx,.pdf"


def unit_label(unit: AdministrativeUnit) -> str:
    """ "Huyện Văn Quan – Tỉnh Lạng Sơn (trước 01/7/2025)"."""
    label = unit.full_name
    if unit.parent_id and unit.parent.parent_id:
        label += f" – {unit.parent.full_name}"
    if unit.generation == Generation.PRE_2025:
        label += " (trước 01/7/2025)"
    elif unit.generation == Generation.Y2025:
        label += " (từ 01/7/2025)"
    return label


class UnitChoiceField(forms.ModelChoiceField):
    """A unit shown with its parent and generation."""

    def label_from_instance(self, obj):
        return unit_label(obj)


class UploadForm(forms.Form):
    """A plan document (.txt, .md, .docx, .pdf) and its issuing unit."""

    file = forms.FileField(
        label=_("Tệp văn bản"),
        allow_empty_file=True,
        help_text=_(
            "Định dạng .txt, .md, .docx hoặc .pdf (có lớp chữ; bản quét được nhận dạng chữ nếu máy chủ có Tesseract)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    unit = UnitChoiceField(
        label=_("Địa bàn ban hành"), queryset=AdministrativeUnit.objects.none(), empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = editable_units(user).select_related("parent", "parent__parent")
        choices = services.unit_choices(user)
        field.choices = [(u.pk, unit_label(u)) for u in choices]
        default = services.default_unit(user)
        if default is not None:
            self.initial.setdefault("unit", default.pk)
