from django import forms
from django.utils import timezone

from orgs.models import Organization
from portal.validators import validate_multiline, validate_single_line
from roadmaps.cascade import template_error
from roadmaps.execution import EVIDENCE_HELP, EVIDENCE_TYPES, validate_evidence_file
from roadmaps.forms import parse_period
from roadmaps.models import ExecutionReport, ItemOccurrence, Roadmap
from roadmaps.occurrences import first_open


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, occurrence):
        state = occurrence.get_status_display()
        if occurrence.is_overdue():
            state = "просрочено"
        return f"{occurrence.label} — срок {occurrence.due:%d.%m.%Y} ({state})"


class ExecutionReportForm(forms.ModelForm):
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

    class Meta:
        model = ExecutionReport
        fields = ["occurrence", "status", "date", "comment", "evidence_url", "evidence_file"]
        field_classes = {"occurrence": OccurrenceChoiceField}
        labels = {
            "occurrence": "Отчёт за",
            "status": "Исполнение",
            "date": "Дата",
            "comment": "Что сделано",
            "evidence_file": "Файл-подтверждение",
        }
        help_texts = {
            "evidence_file": EVIDENCE_HELP,
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 3}),
            "evidence_file": forms.FileInput(attrs={"accept": ",".join(sorted(EVIDENCE_TYPES))}),
        }

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            # Several items' forms can be open on one page, next to the page's own fields.
            kwargs.setdefault("auto_id", f"report-{item.pk}-%s")
        super().__init__(*args, **kwargs)
        # A periodic item is reported on per occurrence («за I квартал 2025»): the field offers
        # the item's own and is required; any other item has no such field.
        occurrences = item.occurrence_rows if item is not None else []
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
        if not self.is_bound:
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

    def clean_evidence_file(self):
        uploaded = self.cleaned_data.get("evidence_file")
        if uploaded and hasattr(uploaded, "size"):
            validate_evidence_file(uploaded)
        return uploaded


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

    def __init__(self, data=None, *, municipalities, **kwargs):
        data = data.copy() if data is not None else {}
        if "status" not in data:
            # The page opens on the plans being executed: approved ones. A submitted form
            # always sends the field, «любой статус» as an empty value.
            data["status"] = Roadmap.Status.APPROVED
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


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organization):
        where = organization.municipality or organization.region
        return f"{organization.short_name} ({where})"


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, roadmap):
        return f"{roadmap.owner.short_name}: {roadmap.title} ({roadmap.period_label})"


class RoadmapFromTemplateForm(forms.Form):
    source = SourceChoiceField(
        label="На основе плана",
        queryset=Roadmap.objects.none(),
        empty_label="— выберите утверждённый план —",
        error_messages={"invalid_choice": "Этот план недоступен как основа."},
    )
    owner = OrganizationChoiceField(
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

    def __init__(self, *args, sources, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["owner"].queryset = owners
        self.fields["title"].widget.attrs["rows"] = 2

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
