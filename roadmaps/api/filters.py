"""Filters of the roadmaps API; every model choice is limited to what the user sees."""

import datetime

import django_filters
from django import forms

from orgs.models import Municipality, Organization, Region
from portal.api import visible
from roadmaps.models import Item, ItemResponsible, Roadmap


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class RoadmapFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Roadmap.Status.choices)
    level = django_filters.ChoiceFilter(
        choices=Organization.Level.choices,
        method="filter_level",
        label="Уровень владельца: региональный, муниципальный или школьный.",
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=visible(Organization), label="Организация-владелец (идентификатор)."
    )
    region = django_filters.ModelChoiceFilter(
        field_name="owner__region", queryset=visible(Region), label="Субъект РФ владельца."
    )
    municipality = django_filters.ModelChoiceFilter(
        field_name="owner__municipality",
        queryset=visible(Municipality),
        label="Муниципальное образование владельца (его органы и школы).",
    )
    year = IntegerFilter(
        method="filter_year",
        min_value=1990,
        max_value=2100,
        label="Год, который захватывает период карты (учебный 2023/2024 — и 2023, и 2024).",
    )
    current = django_filters.BooleanFilter(
        method="filter_current",
        label="true — только действующие версии, false — только прежние версии.",
    )

    class Meta:
        model = Roadmap
        fields = ["status", "level", "owner", "region", "municipality", "year", "current"]

    def filter_level(self, queryset, name, value: str):
        return queryset.at_level(value)

    def filter_year(self, queryset, name, value: int):
        return queryset.filter(
            period_start__lte=datetime.date(value, 12, 31),
            period_end__gte=datetime.date(value, 1, 1),
        )

    def filter_current(self, queryset, name, value: bool):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class ItemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Item.Status.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="true — просроченные: срок окончания прошёл, а мероприятие не выполнено и не "
        "отменено; false — все остальные.",
    )
    deadline_end__gte = django_filters.DateFilter(
        field_name="deadline_end", lookup_expr="gte", label="Срок окончания не раньше даты."
    )
    deadline_end__lte = django_filters.DateFilter(
        field_name="deadline_end", lookup_expr="lte", label="Срок окончания не позже даты."
    )
    direction = django_filters.CharFilter(
        field_name="directions__code",
        label="Код направления (см. /api/v1/directions/), например znanie.",
    )
    responsible = django_filters.CharFilter(
        method="filter_responsible",
        label="Часть обозначения ответственного, например ИМЦ.",
    )
    level = django_filters.ChoiceFilter(
        choices=Organization.Level.choices,
        method="filter_level",
        label="Уровень плана: региональный, муниципальный или школьный.",
    )
    municipality = django_filters.ModelChoiceFilter(
        field_name="roadmap__owner__municipality",
        queryset=visible(Municipality),
        label="Муниципальное образование владельца плана.",
    )
    owner = django_filters.ModelChoiceFilter(
        field_name="roadmap__owner", queryset=visible(Organization), label="Владелец плана."
    )
    roadmap = django_filters.ModelChoiceFilter(queryset=visible(Roadmap), label="Дорожная карта.")
    roadmap_status = django_filters.ChoiceFilter(
        field_name="roadmap__status",
        choices=Roadmap.Status.choices,
        label="Статус плана: draft, review, returned, approved, archived.",
    )
    in_force = django_filters.BooleanFilter(
        method="filter_in_force",
        label="true — только действующие версии планов, как в мониторинге: утверждённая, пока "
        "она действует, иначе новейшая; false — остальные версии. Просроченные мероприятия "
        "страницы мониторинга — `overdue=true&in_force=true&own=true&roadmap_status=approved`.",
    )
    own = django_filters.BooleanFilter(
        method="filter_own",
        label="true — только планы, за которые отвечает пользователь (его организаций и "
        "подведомственных), без планов верхнего уровня, которые он лишь исполняет; false — "
        "только такие планы верхнего уровня.",
    )

    class Meta:
        model = Item
        fields = [
            "status",
            "overdue",
            "deadline_end__gte",
            "deadline_end__lte",
            "direction",
            "responsible",
            "level",
            "municipality",
            "owner",
            "roadmap",
            "roadmap_status",
            "in_force",
            "own",
        ]

    def filter_own(self, queryset, name, value: bool):
        own = Roadmap.objects.monitored_by(self.request.user).values("pk")
        return queryset.filter(roadmap__in=own) if value else queryset.exclude(roadmap__in=own)

    def filter_in_force(self, queryset, name, value: bool):
        in_force = Roadmap.objects.in_force().values("pk")
        if value:
            return queryset.filter(roadmap__in=in_force)
        return queryset.exclude(roadmap__in=in_force)

    def filter_overdue(self, queryset, name, value: bool):
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_responsible(self, queryset, name, value: str):
        links = ItemResponsible.objects.filter(party__name__icontains=value)
        return queryset.filter(pk__in=links.values("item_id"))

    def filter_level(self, queryset, name, value: str):
        return queryset.filter(roadmap__in=Roadmap.objects.at_level(value))
