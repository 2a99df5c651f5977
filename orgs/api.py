"""The directory through the API: regions, municipalities, organizations (read-only for all,
loaded from a file by regional operators, as on the page «Загрузка справочника») and
memberships (administrators only)."""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from orgs.importers import (
    IMPORT_FORBIDDEN,
    DirectoryError,
    import_regions,
    parse_directory,
    read_upload,
    save_directory,
)
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


# A region's list of participants to load: the same file as on the page.
class DirectoryImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Список участников (.xlsx или .csv, до 10 МБ), по школе в строке. Столбцы "
        "находятся по заголовку: муниципальное образование и полное наименование обязательны; "
        "краткое наименование, ИНН, адрес, уровни (НОО, ООО, СОО), ОВЗ (да/нет), год "
        "вступления в проект — по желанию."
    )
    region = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Субъект РФ (идентификатор), в справочник которого загрузить список. "
        "Можно не указывать, если пользователь загружает справочник одного региона.",
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="Только проверить файл и показать, что будет добавлено и обновлено, "
        "ничего не сохраняя.",
    )


class DirectoryRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Номер строки в файле.")
    municipality = serializers.CharField(help_text="Муниципальное образование.")
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    short_name = serializers.CharField()
    name = serializers.CharField()
    inn = serializers.CharField(help_text="ИНН; пустая строка, если не указан.")
    address = serializers.CharField()
    levels = serializers.ListField(
        child=serializers.CharField(), help_text="Уровни образования: НОО, ООО, СОО."
    )
    has_ovz_pupils = serializers.BooleanField(source="has_ovz")
    in_project_since = serializers.IntegerField(source="since", allow_null=True)
    exists = serializers.BooleanField(
        help_text="Организация уже есть в справочнике (найдена по ИНН или по муниципальному "
        "образованию и наименованию) и будет обновлена; иначе — добавлена."
    )


class DirectoryImportResultSerializer(serializers.Serializer):
    region = serializers.IntegerField(help_text="Субъект РФ (идентификатор).")
    dry_run = serializers.BooleanField(help_text="Только проверка: ничего не сохранено.")
    organizations = serializers.IntegerField(help_text="Организаций в файле.")
    created = serializers.IntegerField(
        help_text="Добавлено организаций (при проверке — будет добавлено)."
    )
    updated = serializers.IntegerField(
        help_text="Обновлено организаций (при проверке — будет обновлено)."
    )
    new_municipalities = serializers.ListField(
        child=serializers.CharField(),
        help_text="Муниципальные образования, которых не было в справочнике региона: они "
        "добавлены (при проверке — будут добавлены).",
    )
    rows = DirectoryRowSerializer(many=True, help_text="Организации файла по строкам.")


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


class ImportsDirectory(BasePermission):
    message = IMPORT_FORBIDDEN

    def has_permission(self, request, view):
        return import_regions(request.user).exists()


def _import_region(user, value) -> Region:
    """The region to load into: the one asked for, or the user's only one."""
    if value is None:
        regions = list(import_regions(user)[:2])
        if len(regions) != 1:
            raise ValidationError(
                {"region": ["Укажите субъект РФ: вы загружаете справочник нескольких регионов."]}
            )
        return regions[0]
    region = Region.objects.for_user(user).filter(pk=value).first()
    if region is None:
        raise NotFound("Субъект РФ не найден или недоступен.")
    if not import_regions(user).filter(pk=region.pk).exists():
        raise PermissionDenied(IMPORT_FORBIDDEN)
    return region


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

    @extend_schema(
        summary="Загрузить справочник региона из файла",
        description="То же, что страница «Загрузка справочника школ»: список участников проекта "
        "(.xlsx или .csv) добавляет в справочник региона недостающие муниципальные "
        "образования и школы и обновляет уже известные (по ИНН, а без ИНН — по "
        "муниципальному образованию и наименованию). Загружает региональный оператор в "
        "свой регион (администратор — в любой); остальным — 403. Всё или ничего: каждая "
        "строка проверяется до сохранения, и одна ошибка в файле — 400 со списком ошибок по "
        "строкам в поле `file`, ничего не сохраняется. С `dry_run` файл только проверяется: "
        "ответ показывает, что будет добавлено и обновлено.",
        request={"multipart/form-data": DirectoryImportSerializer},
        responses={
            200: DirectoryImportResultSerializer,
            400: OpenApiResponse(
                description="Файл не прочитан или в нём есть ошибки (по строкам, в поле "
                "`file`); ничего не сохранено."
            ),
            403: OpenApiResponse(description="Загружать справочник может региональный оператор."),
            404: OpenApiResponse(description="Субъект РФ вне области пользователя."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        permission_classes=[IsAuthenticated, ImportsDirectory],
        parser_classes=[MultiPartParser],
        serializer_class=DirectoryImportSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def import_directory(self, request):
        serializer = DirectoryImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = _import_region(request.user, data.get("region"))
        uploaded = data["file"]
        try:
            parsed = parse_directory(read_upload(uploaded), uploaded.name or "", region)
        except DirectoryError as error:
            raise ValidationError({"file": [str(error)]}) from None
        if not parsed.ok:
            raise ValidationError({"file": parsed.errors})
        existing = sum(row.exists for row in parsed.rows)
        created, updated = len(parsed.rows) - existing, existing
        if not data["dry_run"]:
            try:
                created, updated = save_directory(parsed, region)
            except DirectoryError as error:
                raise ValidationError({"file": [str(error)]}) from None
        result = {
            "region": region.pk,
            "dry_run": data["dry_run"],
            "organizations": len(parsed.rows),
            "created": created,
            "updated": updated,
            "new_municipalities": parsed.new_municipalities,
            "rows": parsed.rows,
        }
        return Response(DirectoryImportResultSerializer(result).data)


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
