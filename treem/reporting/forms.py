"""Small forms of the reporting pages (the value grid itself is read field by field in views.form)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến / lý do"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx (Excel 2007 trở lên)."))
        return f


class Dhis2ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp dataValueSets (.json hoặc .csv)"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, không ghi (dryRun)"), required=False, initial=True)
