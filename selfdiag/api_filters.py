"""Filters of the self-diagnosis API; every model choice is limited to what the user sees."""

import datetime

import django_filters
from django import forms

from orgs.models import Municipality, Organization, Region
from portal.api import visible
from selfdiag.models import Deficit, DirectionResult, Level, Methodology, Round, Submission


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _round_filter():
    return django_filters.ModelChoiceFilter(
        queryset=visible(Round), label="Раунд самодиагностики (идентификатор)."
    )


def _school_filter():
    return django_filters.ModelChoiceFilter(
        queryset=visible(Organization), label="Школа (идентификатор)."
    )


def _municipality_filter():
    return django_filters.ModelChoiceFilter(
        field_name="school__municipality",
        queryset=visible(Municipality),
        label="Муниципальное образование школы (идентификатор).",
    )


def _direction_filter():
    return django_filters.CharFilter(
        field_name="direction_code", label="Код направления методики, например znanie."
    )


class MethodologyFilter(django_filters.FilterSet):
    is_demo = django_filters.BooleanFilter(
        label="true — только демонстрационные методики, false — только настоящие."
    )

    class Meta:
        model = Methodology
        fields = ["is_demo"]


class RoundFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Round.Status.choices, label="Статус раунда: open — открыт, closed — закрыт."
    )
    methodology = django_filters.ModelChoiceFilter(
        queryset=visible(Methodology), label="Методика (идентификатор)."
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), label="Субъект РФ (идентификатор)."
    )
    year = IntegerFilter(
        method="filter_year",
        min_value=1990,
        max_value=2100,
        label="Год, который захватывают сроки раунда (с начала по окончание).",
    )
    opens_on__gte = django_filters.DateFilter(
        field_name="opens_on", lookup_expr="gte", label="Начало не раньше даты."
    )
    closes_on__lte = django_filters.DateFilter(
        field_name="closes_on", lookup_expr="lte", label="Окончание не позже даты."
    )

    class Meta:
        model = Round
        fields = ["status", "methodology", "region", "year", "opens_on__gte", "closes_on__lte"]

    def filter_year(self, queryset, name, value: int):
        return queryset.filter(
            opens_on__lte=datetime.date(value, 12, 31),
            closes_on__gte=datetime.date(value, 1, 1),
        )


class SubmissionFilter(django_filters.FilterSet):
    round = _round_filter()
    school = _school_filter()
    municipality = _municipality_filter()
    status = django_filters.ChoiceFilter(choices=Submission.Status.choices, label="Статус анкеты.")
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label="Общий уровень школы (у отправленных и принятых)."
    )

    class Meta:
        model = Submission
        fields = ["round", "school", "municipality", "status", "level"]


class DirectionResultFilter(django_filters.FilterSet):
    round = _round_filter()
    school = _school_filter()
    municipality = _municipality_filter()
    submission = django_filters.ModelChoiceFilter(
        queryset=visible(Submission), label="Анкета (идентификатор)."
    )
    direction = _direction_filter()
    level = django_filters.ChoiceFilter(choices=Level.choices, label="Уровень по направлению.")
    capped_by_critical = django_filters.BooleanFilter(
        label="true — уровень ограничен критическим показателем."
    )

    class Meta:
        model = DirectionResult
        fields = [
            "round",
            "school",
            "municipality",
            "submission",
            "direction",
            "level",
            "capped_by_critical",
        ]


class DeficitFilter(django_filters.FilterSet):
    round = _round_filter()
    school = _school_filter()
    municipality = _municipality_filter()
    submission = django_filters.ModelChoiceFilter(
        queryset=visible(Submission), label="Анкета (идентификатор)."
    )
    direction = _direction_filter()
    indicator = django_filters.CharFilter(
        field_name="indicator_code", label="Код показателя, например Z1."
    )
    critical = django_filters.BooleanFilter(
        label="true — только критические показатели, false — только остальные."
    )

    class Meta:
        model = Deficit
        fields = [
            "round",
            "school",
            "municipality",
            "submission",
            "direction",
            "indicator",
            "critical",
        ]
