"""Forms of the plan editor and the approval workflow."""

from django import forms
from django.utils import timezone

from orgs.models import Organization
from orgs.scope import get_scope
from portal.validators import (
    approval_date_problem,
    period_problem,
    validate_multiline,
    validate_single_line,
)
from roadmaps.deadlines import Period
from roadmaps.editing import item_number_problem
from roadmaps.glossary import name_taken
from roadmaps.models import Direction, Item, Party, Roadmap, Section


class OwnerChoiceField(forms.ModelChoiceField):
    """The organization a plan belongs to, shown with its municipality or region; every
    owner choice (create, import, from template) uses this field with offer_owners()."""

    def label_from_instance(self, organization):
        where = organization.municipality or organization.region
        return f"{organization.short_name} ({where})"


CHOOSE_OWNER = "— выберите организацию —"


def offer_owners(form: forms.Form, owners, user=None, name: str = "owner") -> None:
    """Let the form's owner field offer `owners`, proposing the user's own organization (the
    operator's institute, the coordinator's committee or school), not merely the first in the
    list. When none of the user's own is offered and there is a choice to make, the field
    starts empty, so that nobody writes a plan for someone else's body by not looking."""
    field = form.fields[name]
    field.queryset = owners
    if user is None:
        return
    own = get_scope(user).own_organizations
    offered = set(owners.filter(pk__in=own).values_list("pk", flat=True)) if own else set()
    mine = next((pk for pk in own if pk in offered), None)
    if mine is not None:
        form.initial.setdefault(name, mine)
    elif owners[:2].count() > 1:
        field.empty_label = CHOOSE_OWNER


def period_choices(extra: Period | None = None) -> list[tuple[str, str]]:
    """Calendar and academic years around today, and the plan's own period if it is neither."""
    year = timezone.localdate().year
    choices = []
    for first in range(year - 2, year + 3):
        choices.append((str(first), f"{first} год"))
        choices.append((f"{first}/{first + 1}", f"{first}/{first + 1} учебный год"))
    if extra is not None and str(extra) not in dict(choices):
        label = f"{extra.start:%d.%m.%Y} – {extra.end:%d.%m.%Y}"
        choices.insert(0, (str(extra), label))
    return choices


def parse_period(text: str) -> Period:
    """A plan's period as typed or chosen, within the sane window (portal.validators)."""
    try:
        period = Period.parse(text)
    except ValueError as error:
        raise forms.ValidationError(str(error)) from None
    problem = period_problem(period.start, period.end)
    if problem:
        raise forms.ValidationError(problem)
    return period


class PeriodField(forms.ChoiceField):
    def clean(self, value):
        return parse_period(super().clean(value))


class RoadmapFilterForm(forms.Form):
    q = forms.CharField(
        label="Поиск", required=False, max_length=200, validators=[validate_single_line]
    )
    level = forms.ChoiceField(
        label="Уровень",
        required=False,
        choices=[("", "все уровни"), *Organization.Level.choices],
    )
    municipality = forms.ModelChoiceField(
        label="Муниципальное образование",
        required=False,
        queryset=None,
        empty_label="все",
    )
    status = forms.ChoiceField(
        label="Статус", required=False, choices=[("", "все"), *Roadmap.Status.choices]
    )
    year = forms.IntegerField(label="Год", required=False, min_value=2000, max_value=2100)
    all_versions = forms.BooleanField(label="Показывать прежние версии", required=False)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["q"].widget.attrs["placeholder"] = "наименование или организация"


class RoadmapCreateForm(forms.Form):
    owner = OwnerChoiceField(
        label="Чей это план", queryset=Organization.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label="Наименование",
        max_length=1000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Например: План мероприятий («дорожная карта») по реализации проекта "
        "«Школа Минпросвещения России» на 2025 год.",
    )
    period = PeriodField(label="Период")

    def __init__(self, *args, owners, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_owners(self, owners, user)
        self.fields["period"].choices = period_choices()
        if not self.is_bound:
            self.initial.setdefault("period", str(timezone.localdate().year))


class RoadmapEditForm(forms.Form):
    title = forms.CharField(
        label="Наименование",
        max_length=1000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    period = PeriodField(label="Период")
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        current = roadmap.period
        self.fields["period"].choices = period_choices(current)
        if not self.is_bound:
            self.initial.update(
                title=roadmap.title, period=str(current), lock_version=roadmap.lock_version
            )


class SectionForm(forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Section
        fields = ["number", "title"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"title": {"required": "Напишите наименование раздела."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["lock_version"] = self.instance.lock_version


class NameListWidget(forms.Widget):
    """Several inputs sharing one name (one per responsible party), read in order."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])


class NameListField(forms.Field):
    widget = NameListWidget

    def to_python(self, value):
        names, seen = [], set()
        for name in value or []:
            name = " ".join(str(name).split())
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    def validate(self, value):
        super().validate(value)
        too_long = [name for name in value if len(name) > 300]
        if too_long:
            raise forms.ValidationError("Обозначение ответственного — не длиннее 300 знаков.")
        for name in value:
            validate_single_line(name)


class ItemForm(forms.ModelForm):
    responsible = NameListField(
        label="Ответственные",
        required=False,
        help_text="По одному в поле, в нужном порядке. Новое название добавится в перечень "
        "ответственных плана.",
    )
    directions = forms.ModelMultipleChoiceField(
        label="Направления",
        queryset=Direction.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Item
        fields = ["number", "title", "deadline_text", "result", "status", "directions"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 3}),
            "result": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"deadline_text": "Сроки", "status": "Исполнение"}
        help_texts = {"title": "До 2000 знаков.", "result": "До 2000 знаков."}
        error_messages = {"title": {"required": "Напишите, что это за мероприятие."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The title is what one writes first; the number is proposed (editing.next_item_number).
        self.fields["title"].widget.attrs["autofocus"] = True
        if self.instance.pk and not self.is_bound:
            self.initial["lock_version"] = self.instance.lock_version
            self.initial["responsible"] = [
                link.party.name
                for link in self.instance.itemresponsible_set.select_related("party").order_by(
                    "position"
                )
            ]

    def clean(self):
        cleaned = super().clean()
        number, loaded = cleaned.get("number"), cleaned.get("lock_version")
        # A form loaded before someone else's change is the conflict's business (the page
        # shows both versions); the number is checked when the user saves over it.
        stale = loaded is not None and self.instance.pk and loaded != self.instance.lock_version
        if number and self.instance.section_id and not stale:
            problem = item_number_problem(self.instance, number.strip())
            if problem:
                self.add_error("number", problem)
        return cleaned


class PartyForm(forms.ModelForm):
    organization = forms.ModelChoiceField(
        label="Организация справочника",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="— не связана —",
    )

    class Meta:
        model = Party
        fields = ["name", "full_name", "kind", "organization", "in_glossary"]
        labels = {"name": "Обозначение (сокращение)"}

    def __init__(self, *args, directory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = directory
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("in_glossary", True)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if name and name_taken(self.instance.roadmap, name, but=self.instance):
            raise forms.ValidationError(f"Обозначение «{name}» уже есть в этом плане.")
        return name


class ApproveForm(forms.Form):
    kind = forms.CharField(
        label="Вид документа",
        max_length=200,
        initial="распоряжение",
        help_text="распоряжение, приказ, постановление…",
        validators=[validate_single_line],
    )
    issuer = forms.CharField(
        label="Кем издан (орган)",
        max_length=500,
        required=False,
        help_text="Например: комитета общего и профессионального образования Ленинградской "
        "области.",
        validators=[validate_single_line],
    )
    number = forms.CharField(
        label="Номер документа", max_length=100, validators=[validate_single_line]
    )
    date = forms.DateField(
        label="Дата документа",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    name = forms.CharField(
        label="Подписант (фамилия и инициалы)", max_length=200, validators=[validate_single_line]
    )
    position = forms.CharField(
        label="Должность подписанта", max_length=500, validators=[validate_single_line]
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        problem = approval_date_problem(date, timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return date


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Что нужно исправить",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Комментарий увидит автор плана в начале страницы плана; до 5000 знаков.",
        max_length=5000,
        validators=[validate_multiline],
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError("Напишите, что нужно исправить.")
        return comment
