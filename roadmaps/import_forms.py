from django import forms

from orgs.models import Organization
from portal.validators import validate_multiline, validate_single_line
from roadmaps.forms import OwnerChoiceField, offer_owners, parse_period
from roadmaps.importers import ACCEPTED

MAX_BYTES = 20 * 1024 * 1024
FORMATS = (
    "Word (.docx), Excel (.xlsx), PDF с текстовым слоем (.pdf), OpenDocument (.odt, .ods) "
    "или текст (.txt, .md, .tsv)"
)
UNSUPPORTED = f"Поддерживаются документы {FORMATS}."


class RoadmapUploadForm(forms.Form):
    file = forms.FileField(
        label="Документ плана",
        help_text=f"{FORMATS} до 20 МБ.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )
    owner = OwnerChoiceField(
        label="Чей это план", queryset=Organization.objects.none(), empty_label=None
    )

    def __init__(self, *args, owners, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_owners(self, owners, user)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(ACCEPTED):
            raise forms.ValidationError(UNSUPPORTED)
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError("Файл больше 20 МБ.")
        return uploaded


class RoadmapImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, validators=[validate_single_line])
    filename = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=255, validators=[validate_single_line]
    )
    owner = OwnerChoiceField(
        label="Чей это план", queryset=Organization.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label="Наименование",
        max_length=1000,
        widget=forms.Textarea,
        validators=[validate_multiline],
    )
    period = forms.CharField(
        label="Период",
        max_length=40,
        help_text="Год (2024), учебный год (2023/2024) или даты (2024-01-01..2024-12-31).",
        validators=[validate_single_line],
    )

    def __init__(self, *args, owners, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_owners(self, owners, user)
        self.fields["title"].widget.attrs["rows"] = 2

    def clean_period(self):
        return parse_period(self.cleaned_data["period"])
