"""The consolidated report form: header fields and the narrative sections the user writes."""

from django import forms

from .models import NARRATIVE_SECTIONS, ConsolidatedReport


class ReportForm(forms.ModelForm):
    """Header, recipients, signer and one text area per narrative section."""

    class Meta:
        model = ConsolidatedReport
        fields = [
            "issuing_body",
            "supervising_body",
            "number",
            "symbol",
            "place",
            "report_date",
            "title",
            "kinh_gui",
            "intro",
            "recipients",
            "archive",
            "signer_lines",
            "signer_name",
            "include_submitted",
        ]
        widgets = {
            "issuing_body": forms.Textarea(attrs={"rows": 2}),
            "title": forms.Textarea(attrs={"rows": 2}),
            "kinh_gui": forms.Textarea(attrs={"rows": 2}),
            "intro": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        narrative = (self.instance.narrative or {}) if self.instance else {}
        for key, heading in NARRATIVE_SECTIONS:
            self.fields[f"n_{key}"] = forms.CharField(
                label=heading,
                required=False,
                initial=narrative.get(key, ""),
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def narrative_fields(self):
        return [self[f"n_{key}"] for key, _ in NARRATIVE_SECTIONS]

    def save(self, commit=True):
        report = super().save(commit=False)
        report.narrative = {key: self.cleaned_data.get(f"n_{key}", "") for key, _ in NARRATIVE_SECTIONS}
        if commit:
            report.save()
        return report
