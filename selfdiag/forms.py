import datetime

from django import forms
from django.utils import timezone

from orgs.models import Municipality, Organization, Region
from portal.russian import quote
from portal.validators import round_dates_problem, validate_multiline, validate_single_line
from selfdiag.models import Methodology, Round
from selfdiag.plans import DEFAULT_DEADLINE, TARGET_DRAFT, TARGET_NEW


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def default_round_name(today: datetime.date) -> str:
    season = "весна" if today.month <= 6 else "осень"
    return f"Самодиагностика — {season} {today.year}"


class RoundForm(forms.ModelForm):
    """A new round: by default every school of the region, or of one municipality."""

    region = forms.ModelChoiceField(
        label="Субъект РФ", queryset=Region.objects.none(), empty_label=None
    )
    municipality = forms.ModelChoiceField(
        label="Только школы муниципального образования",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="все муниципальные образования",
    )
    schools = forms.ModelMultipleChoiceField(
        label="Школы",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Если не отмечена ни одна школа, в раунд войдут все школы региона "
        "(или выбранного муниципального образования).",
    )

    class Meta:
        model = Round
        fields = ["region", "name", "opens_on", "closes_on", "methodology"]
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}

    def __init__(self, *args, regions, **kwargs):
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("name", default_round_name(today))
        initial.setdefault("opens_on", today)
        initial.setdefault("closes_on", today + datetime.timedelta(days=30))
        latest = Methodology.objects.order_by("is_demo", "-loaded_at").first()
        if latest is not None:
            initial.setdefault("methodology", latest.pk)
        if len(regions) == 1:
            initial.setdefault("region", regions[0].pk)
        super().__init__(*args, **kwargs)
        region_ids = [region.pk for region in regions]
        self.fields["region"].queryset = Region.objects.filter(pk__in=region_ids)
        if len(regions) == 1:
            self.fields["region"].widget = forms.HiddenInput()
        self.fields["methodology"].empty_label = None
        self.fields["municipality"].queryset = Municipality.objects.filter(
            region_id__in=region_ids
        ).order_by("name")
        self.fields["schools"].queryset = (
            Organization.objects.schools()
            .filter(region_id__in=region_ids)
            .select_related("municipality")
            .order_by("municipality__name", "short_name")
        )
        self.fields["schools"].label_from_instance = lambda school: (
            f"{school.short_name} ({school.municipality})"
        )

    def clean(self):
        data = super().clean()
        region = data.get("region")
        municipality = data.get("municipality")
        if region is None:
            return data
        if municipality is not None and municipality.region_id != region.pk:
            self.add_error("municipality", "Муниципальное образование другого региона.")
            return data
        name = data.get("name")
        if name and Round.objects.filter(region=region, name=name).exists():
            self.add_error("name", "Раунд с таким наименованием в регионе уже есть.")
        opens, closes = data.get("opens_on"), data.get("closes_on")
        problem = opens and closes and round_dates_problem(opens, closes, timezone.localdate())
        if problem:
            self.add_error(*problem)
        chosen = list(data.get("schools") or [])
        if chosen:
            wrong = [
                s
                for s in chosen
                if s.region_id != region.pk
                or (municipality is not None and s.municipality_id != municipality.pk)
            ]
            if wrong:
                self.add_error(
                    "schools",
                    "Школы вне выбранного региона или муниципального образования: "
                    + ", ".join(s.short_name for s in wrong),
                )
            data["school_list"] = chosen
        else:
            schools = Organization.objects.schools().filter(region=region)
            if municipality is not None:
                schools = schools.filter(municipality=municipality)
            data["school_list"] = list(schools)
            if not data["school_list"]:
                self.add_error(None, "В выбранном регионе нет ни одной школы.")
        return data


class ReviewForm(forms.Form):
    ACCEPT = "accept"
    RETURN = "return"

    action = forms.ChoiceField(
        choices=[(ACCEPT, "Принять"), (RETURN, "Вернуть на доработку")],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label="Комментарий для школы",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Что проверить или исправить; при возврате обязателен; до 5000 знаков.",
        max_length=5000,
        validators=[validate_multiline],
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", "Напишите, что нужно исправить.")
        return data


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label="Заполненный шаблон (.xlsx)",
        help_text="Скачайте шаблон раунда, заполните ответы из выпадающих списков и загрузите.",
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("Загрузите книгу Excel (.xlsx).")
        if uploaded.size > 10 * 1024 * 1024:
            raise forms.ValidationError("Файл больше 10 МБ; разделите его на части.")
        return uploaded


class DeficitPlanForm(forms.Form):
    deficits = forms.MultipleChoiceField(
        label="Дефициты, по которым нужны мероприятия",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Отметьте хотя бы один дефицит."},
    )
    deadline_text = forms.CharField(
        label="Сроки",
        max_length=500,
        initial=DEFAULT_DEADLINE,
        help_text="Как в плане: «в течение учебного года», «до 1 сентября», «2 квартал».",
        validators=[validate_single_line],
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deficits"].choices = choices


class PlanTargetForm(forms.Form):
    """Where the items from deficits go: the school's current draft, or a new plan for the
    round's academic year."""

    target = forms.ChoiceField(
        label="Куда добавить мероприятия",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите, в какой план добавить мероприятия.",
            "invalid_choice": "Выберите, в какой план добавить мероприятия.",
        },
    )

    def __init__(self, *args, draft, period_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if draft is not None:
            choices.append(
                (
                    TARGET_DRAFT,
                    f"Дополнить текущий черновик {quote(draft.title)} ({draft.period_label})",
                )
            )
        choices.append((TARGET_NEW, f"Новый план на {period_label} учебный год"))
        self.fields["target"].choices = choices
        self.fields["target"].initial = choices[0][0]


def split_names(text: str) -> list[str]:
    """«МБОУ СОШ № 1, заместитель директора по УВР» → the names, in order, without repeats."""
    names = []
    for name in text.split(","):
        name = " ".join(name.split())
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


class DeficitRowForm(forms.Form):
    """One proposed item: ticked or not, and its words as the school edited them."""

    include = forms.BooleanField(label="В план", required=False)
    code = forms.CharField(
        widget=forms.HiddenInput, max_length=32, validators=[validate_single_line]
    )
    title = forms.CharField(
        label="Мероприятие",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_multiline],
    )
    deadline_text = forms.CharField(
        label="Сроки",
        required=False,
        max_length=500,
        validators=[validate_single_line],
    )
    responsible = forms.CharField(
        label="Ответственные",
        required=False,
        max_length=2000,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"list": "responsible-suggestions"}),
    )

    def clean_responsible(self):
        names = split_names(self.cleaned_data["responsible"])
        for name in names:
            if len(name) > 300:
                raise forms.ValidationError(
                    f"Название «{name[:40]}…» длиннее 300 знаков; сократите его."
                )
        return names

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("include") and not (cleaned.get("title") or "").strip():
            self.add_error("title", "Напишите, что будет сделано.")
        return cleaned


class BaseDeficitRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, codes, **kwargs):
        self.codes = list(codes)
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            code = form.cleaned_data.get("code")
            if code not in self.codes or code in seen:
                raise forms.ValidationError("Список дефицитов устарел: откройте страницу заново.")
            seen.add(code)
        if not any(form.cleaned_data.get("include") for form in self.forms):
            raise forms.ValidationError("Отметьте хотя бы один дефицит.")

    def chosen(self):
        """(code, title, deadline_text, responsible names) of the ticked rows, in order."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("include")]


DeficitRowFormSet = forms.formset_factory(
    DeficitRowForm, formset=BaseDeficitRowFormSet, extra=0, max_num=500, validate_max=True
)
