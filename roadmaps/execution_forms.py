from django import forms
from django.utils import timezone

from orgs.models import Organization
from portal import russian
from portal.russian import FILES_GENITIVE
from portal.validators import validate_multiline, validate_single_line
from roadmaps.cascade import template_error
from roadmaps.execution import (
    EVIDENCE_HELP,
    EVIDENCE_TYPES,
    MAX_EVIDENCE_FILES,
    validate_evidence_file,
)
from roadmaps.forms import OwnerChoiceField, offer_owners, parse_period
from roadmaps.models import ExecutionReport, Item, ItemOccurrence, Roadmap
from roadmaps.occurrences import first_open


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, occurrence):
        state = occurrence.get_status_display()
        if occurrence.is_overdue():
            state = "просрочено"
        return f"{occurrence.label} — срок {occurrence.due:%d.%m.%Y} ({state})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type=file multiple>` (Django's «Uploading multiple files»);
    each one is checked by validate_evidence_file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(sorted(EVIDENCE_TYPES))})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            if self.required:
                raise forms.ValidationError("Выберите хотя бы один файл.", code="required")
            return []
        uploads = data if isinstance(data, (list, tuple)) else [data]
        cleaned, errors = [], []
        for uploaded in uploads:
            try:
                uploaded = super().clean(uploaded, initial)
                validate_evidence_file(uploaded)
            except forms.ValidationError as error:
                errors.extend(error.error_list)
            else:
                cleaned.append(uploaded)
        if errors:
            raise forms.ValidationError(errors)
        if len(cleaned) > MAX_EVIDENCE_FILES:
            raise forms.ValidationError(
                "За один раз можно приложить не больше "
                f"{russian.count(MAX_EVIDENCE_FILES, FILES_GENITIVE)}.",
                code="evidence_count",
            )
        return cleaned


class ExecutionReportForm(forms.ModelForm):
    """A new report, or the correction of one (instance=report): the page and the API both save
    it through roadmaps.execution, which refuses an empty report and too many files."""

    evidence_url = forms.URLField(
        label="Ссылка на подтверждение",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="Страница на сайте организации, новость, документ в облаке.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        error_messages={"invalid": "Введите адрес целиком, например https://school.ru/news/1."},
        validators=[validate_single_line],
    )
    files = MultipleFileField(
        label="Файлы-подтверждения",
        help_text=f"{EVIDENCE_HELP} Можно выбрать несколько, всего до {MAX_EVIDENCE_FILES}.",
    )

    class Meta:
        model = ExecutionReport
        fields = ["occurrence", "status", "date", "comment", "evidence_url"]
        field_classes = {"occurrence": OccurrenceChoiceField}
        labels = {
            "occurrence": "Отчёт за",
            "status": "Исполнение",
            "date": "Дата",
            "comment": "Что сделано",
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, item=None, correction=False, **kwargs):
        if item is not None:
            # Several items' forms can be open on one page, next to the page's own fields.
            prefix = f"report-{item.pk}" if kwargs.get("instance") is None else "report-edit"
            kwargs.setdefault("auto_id", f"{prefix}-%s")
        super().__init__(*args, **kwargs)
        # A report always states the execution: no blank «---------» first in the list.
        self.fields["status"].choices = Item.Status.choices
        # A periodic item is reported on per occurrence («за I квартал 2025»): the field offers
        # the item's own and is required; any other item has no such field.
        # A correction keeps the report's period.
        new = self.instance.pk is None and not correction
        occurrences = item.occurrence_rows if item is not None and new else []
        if occurrences:
            field = self.fields["occurrence"]
            field.queryset = ItemOccurrence.objects.filter(item=item).order_by("index")
            field.required = True
            field.empty_label = None
            field.error_messages["invalid_choice"] = (
                "Выберите период из списка: этого периода у мероприятия нет."
            )
            field.help_text = "Мероприятие периодическое: отчёт подаётся за каждый период."
        else:
            del self.fields["occurrence"]
        if not self.is_bound and new:
            self.initial.setdefault("date", timezone.localdate())
            chosen = first_open(occurrences)
            if chosen is not None:
                self.initial.setdefault("occurrence", chosen.pk)
                self.initial.setdefault("status", chosen.status)
            elif item is not None:
                self.initial.setdefault("status", item.status)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("Отчёт не может быть датирован будущим днём.")
        return date

    def save(self, commit=True):
        raise NotImplementedError("Reports are saved by roadmaps.execution, not by the form.")


class EvidenceFilesForm(forms.Form):
    files = MultipleFileField(label="Файлы-подтверждения", required=True)


class MonitoringFilterForm(forms.Form):
    LEVELS = [("", "все уровни"), *Organization.Level.choices]
    STATUSES = [("", "любой статус"), *Roadmap.Status.choices]

    level = forms.ChoiceField(label="Уровень", choices=LEVELS, required=False)
    municipality = forms.ModelChoiceField(
        label="Муниципальное образование",
        queryset=None,
        required=False,
        empty_label="все",
    )
    status = forms.ChoiceField(label="Статус плана", choices=STATUSES, required=False)
    year = forms.IntegerField(
        label="Год",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="Планы, период которых захватывает этот год.",
        error_messages={
            "min_value": "Укажите год не раньше 2000.",
            "max_value": "Укажите год не позже 2100.",
            "invalid": "Укажите год цифрами, например 2024.",
        },
    )

    def __init__(
        self, data=None, *, municipalities, default_status=Roadmap.Status.APPROVED, **kwargs
    ):
        data = data.copy() if data is not None else {}
        if "status" not in data:
            # The page opens on the plans being executed: approved ones (or, while there are
            # none, all: roadmaps.monitoring.default_status). A submitted form always sends
            # the field, «любой статус» as an empty value.
            data["status"] = default_status
        super().__init__(data, **kwargs)
        self.fields["municipality"].queryset = municipalities

    def filter(self, plans):
        data = self.cleaned_data
        if data.get("level"):
            plans = plans.at_level(data["level"])
        if data.get("municipality"):
            plans = plans.filter(owner__municipality=data["municipality"])
        if data.get("status"):
            plans = plans.filter(status=data["status"])
        if data.get("year"):
            plans = plans.in_year(data["year"])
        return plans


class SourceSelect(forms.Select):
    """Each plan's option carries its title and period, so that choosing a plan on the page
    fills in the new plan's name and period (static/js/roadmaps.js, `data-fills`)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        roadmap = getattr(value, "instance", None)
        if roadmap is not None:
            option["attrs"].update(
                {"data-title": roadmap.title, "data-period": str(roadmap.period)}
            )
        return option


class SourceChoiceField(forms.ModelChoiceField):
    widget = SourceSelect

    def label_from_instance(self, roadmap):
        return f"{roadmap.owner.short_name}: {roadmap.title} ({roadmap.period_label})"


class RoadmapFromTemplateForm(forms.Form):
    source = SourceChoiceField(
        label="На основе плана",
        queryset=Roadmap.objects.none(),
        empty_label="— выберите утверждённый план —",
        error_messages={"invalid_choice": "Этот план недоступен как основа."},
    )
    owner = OwnerChoiceField(
        label="Чей план",
        queryset=Organization.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Вы не можете создавать планы этой организации."},
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
        help_text="Год (2024), учебный год (2024/2025) или даты (2024-01-01..2024-12-31). "
        "Сроки мероприятий будут прочитаны заново для этого периода.",
        validators=[validate_single_line],
    )

    def __init__(self, *args, sources, owners, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        offer_owners(self, owners, user)
        self.fields["title"].widget.attrs["rows"] = 2
        self.fields["source"].widget.attrs["data-fills"] = "title period"

    def clean_period(self):
        return parse_period(self.cleaned_data["period"])

    def clean(self):
        cleaned = super().clean()
        source, owner = cleaned.get("source"), cleaned.get("owner")
        if source and owner:
            error = template_error(source, owner)
            if error:
                self.add_error("source", error)
        return cleaned
