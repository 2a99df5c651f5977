"""The directory through the API: regions, municipalities, organizations (read-only for all)
and memberships (administrators only)."""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from orgs.models import Membership, Municipality, Organization, Region
from portal.api import (
    IsSuperuser,
    ScopedReadOnlyViewSet,
    ScopedViewSet,
    VisiblePrimaryKeyField,
    visible,
)

# Serializers


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "region", "name", "kind", "oktmo"]


class OrganizationSerializer(serializers.ModelSerializer):
    level = serializers.ChoiceField(
        choices=Organization.Level.choices,
        read_only=True,
        help_text="Уровень: региональный, муниципальный или школьный.",
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "level",
            "short_name",
            "name",
            "region",
            "municipality",
            "inn",
            "address",
            "teaches_noo",
            "teaches_ooo",
            "teaches_soo",
            "has_ovz_pupils",
            "in_project_since",
        ]


class _ActiveUserField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return get_user_model().objects.filter(is_active=True)


class MembershipSerializer(serializers.ModelSerializer):
    user = _ActiveUserField(help_text="Пользователь (идентификатор).")
    username = serializers.CharField(source="user.username", read_only=True)
    organization = VisiblePrimaryKeyField(Organization, help_text="Организация (идентификатор).")

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "organization", "role", "created"]
        read_only_fields = ["created"]

    def validate(self, attrs):
        membership = Membership(
            user=attrs.get("user", getattr(self.instance, "user", None)),
            organization=attrs.get("organization", getattr(self.instance, "organization", None)),
            role=attrs.get("role", getattr(self.instance, "role", "")),
        )
        try:
            membership.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


# Filters


class MunicipalityFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), label="Субъект РФ (идентификатор)."
    )

    class Meta:
        model = Municipality
        fields = ["region", "kind"]


class OrganizationFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), label="Субъект РФ (идентификатор)."
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=visible(Municipality), label="Муниципальное образование (идентификатор)."
    )

    class Meta:
        model = Organization
        fields = ["kind", "region", "municipality"]


class MembershipFilter(django_filters.FilterSet):
    # Model choices, not bare numbers: an id is looked up by primary key, which also turns an
    # id too large for the database into «no such object» rather than a database error.
    user = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.all(), label="Пользователь (идентификатор)."
    )
    organization = django_filters.ModelChoiceFilter(
        queryset=visible(Organization), label="Организация (идентификатор)."
    )
    region = django_filters.ModelChoiceFilter(
        field_name="organization__region",
        queryset=Region.objects.all(),
        label="Субъект РФ организации (идентификатор).",
    )

    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "region"]


# Viewsets


@extend_schema(tags=["Справочник организаций"])
@extend_schema_view(
    list=extend_schema(
        summary="Субъекты РФ",
        description="Субъекты РФ, в которых у пользователя есть хотя бы одна организация "
        "(администратор видит все 89).",
    ),
    retrieve=extend_schema(
        summary="Субъект РФ",
        description="Один субъект РФ. Субъект вне области пользователя — 404.",
    ),
)
class RegionViewSet(ScopedReadOnlyViewSet):
    serializer_class = RegionSerializer
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]

    def scoped_queryset(self, user):
        return Region.objects.for_user(user)


@extend_schema(tags=["Справочник организаций"])
@extend_schema_view(
    list=extend_schema(
        summary="Муниципальные образования",
        description="Муниципальные образования в области пользователя: региональный уровень "
        "видит все муниципалитеты региона, муниципальный и школьный — свой. "
        "Фильтры: субъект РФ (`region`), вид (`kind`); поиск по наименованию.",
    ),
    retrieve=extend_schema(
        summary="Муниципальное образование",
        description="Одно муниципальное образование. Вне области пользователя — 404.",
    ),
)
class MunicipalityViewSet(ScopedReadOnlyViewSet):
    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilter
    search_fields = ["name", "oktmo"]
    ordering_fields = ["name", "region__code"]

    def scoped_queryset(self, user):
        return Municipality.objects.for_user(user)


@extend_schema(tags=["Справочник организаций"])
@extend_schema_view(
    list=extend_schema(
        summary="Организации",
        description="Органы управления, институты, ОМСУ, методические службы и школы в области "
        "пользователя. Фильтры: вид (`kind`), субъект РФ (`region`), муниципальное "
        "образование (`municipality`); поиск (`search`) по краткому и полному наименованию "
        "и ИНН.",
    ),
    retrieve=extend_schema(
        summary="Организация",
        description="Одна организация. Организация вне области пользователя — 404.",
    ),
)
class OrganizationViewSet(ScopedReadOnlyViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ["short_name", "name", "inn"]
    ordering_fields = ["short_name", "name", "kind", "region__code", "municipality__name"]

    def scoped_queryset(self, user):
        return Organization.objects.for_user(user)


@extend_schema(tags=["Членства (администрирование)"])
@extend_schema_view(
    list=extend_schema(
        summary="Членства пользователей",
        description="Кто в какой организации и с какой ролью. Только для администраторов "
        "портала; остальным — 403. Фильтры: пользователь, организация, роль, субъект РФ.",
    ),
    retrieve=extend_schema(summary="Членство", description="Одно членство (администраторы)."),
    create=extend_schema(
        summary="Назначить роль",
        description="Добавляет пользователя в организацию с ролью. Роль должна "
        "соответствовать уровню организации: региональный оператор — в региональной, "
        "муниципальный координатор — в муниципальной, школьный координатор — в школе; "
        "наблюдатель — в любой.",
    ),
    update=extend_schema(summary="Изменить членство", description="Полная замена членства."),
    partial_update=extend_schema(
        summary="Изменить членство частично", description="Например, только роль."
    ),
    destroy=extend_schema(
        summary="Отозвать роль", description="Удаляет членство: пользователь теряет доступ."
    ),
)
class MembershipViewSet(ScopedViewSet):
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated, IsSuperuser]
    filterset_class = MembershipFilter
    search_fields = ["user__username", "user__last_name", "organization__short_name"]
    ordering_fields = ["created", "user__username", "organization__short_name", "role"]

    def scoped_queryset(self, user):
        return Membership.objects.for_user(user).select_related("user", "organization")


# /api/v1/…: (prefix, viewset, basename) registered by portal/api_urls.py.
ROUTES = [
    ("regions", RegionViewSet, "region"),
    ("municipalities", MunicipalityViewSet, "municipality"),
    ("organizations", OrganizationViewSet, "organization"),
    ("memberships", MembershipViewSet, "membership"),
]
