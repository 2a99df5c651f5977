from django.conf import settings
from django.db import models
from django.db.models import Q

from orgs.querysets import (
    MembershipQuerySet,
    MunicipalityQuerySet,
    OrganizationQuerySet,
    RegionQuerySet,
)
from orgs.validators import validate_inn
from portal.validators import validate_single_line

EDUCATION_LEVELS = ("НОО", "ООО", "СОО")


class Region(models.Model):
    """A subject of the Russian Federation; the 89 of them ship in a data migration."""

    code = models.CharField("код", max_length=2, unique=True, validators=[validate_single_line])
    name = models.CharField(
        "наименование", max_length=200, unique=True, validators=[validate_single_line]
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "субъект РФ"
        verbose_name_plural = "субъекты РФ"

    def __str__(self):
        return self.name


class Municipality(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL_DISTRICT = "municipal_district", "муниципальный район"
        MUNICIPAL_OKRUG = "municipal_okrug", "муниципальный округ"
        CITY_OKRUG = "city_okrug", "городской округ"
        CITY_DISTRICT = "city_district", "район города"
        INTRACITY = "intracity", "внутригородское муниципальное образование"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="субъект РФ"
    )
    name = models.CharField("наименование", max_length=255, validators=[validate_single_line])
    kind = models.CharField(
        "вид", max_length=32, choices=Kind.choices, default=Kind.MUNICIPAL_DISTRICT
    )
    oktmo = models.CharField("ОКТМО", max_length=11, blank=True, validators=[validate_single_line])

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = "муниципальное образование"
        verbose_name_plural = "муниципальные образования"
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")
        ]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """Any body that owns a plan or answers for an item: a ministry, an institute, a school."""

    class Kind(models.TextChoices):
        REGIONAL_AUTHORITY = "regional_authority", "региональный орган управления образованием"
        REGIONAL_OPERATOR = "regional_operator", "региональный оператор (институт)"
        MUNICIPAL_AUTHORITY = "municipal_authority", "муниципальный орган управления (ОМСУ)"
        METHODICAL_SERVICE = "methodical_service", "методическая служба (ИМЦ, ММС)"
        SCHOOL = "school", "общеобразовательная организация"
        OTHER = "other", "иная организация"

    class Level(models.TextChoices):
        REGION = "region", "региональный"
        MUNICIPALITY = "municipality", "муниципальный"
        SCHOOL = "school", "школьный"

    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    short_name = models.CharField(
        "краткое наименование", max_length=150, validators=[validate_single_line]
    )
    name = models.CharField(
        "полное наименование", max_length=500, validators=[validate_single_line]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organizations", verbose_name="субъект РФ"
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="organizations",
        null=True,
        blank=True,
        verbose_name="муниципальное образование",
    )
    inn = models.CharField(
        "ИНН", max_length=12, blank=True, validators=[validate_single_line, validate_inn]
    )
    address = models.CharField(
        "адрес", max_length=500, blank=True, validators=[validate_single_line]
    )
    teaches_noo = models.BooleanField("НОО", default=False, help_text="начальное общее")
    teaches_ooo = models.BooleanField("ООО", default=False, help_text="основное общее")
    teaches_soo = models.BooleanField("СОО", default=False, help_text="среднее общее")
    has_ovz_pupils = models.BooleanField("есть обучающиеся с ОВЗ", default=False)
    in_project_since = models.PositiveSmallIntegerField("в проекте с (год)", null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "municipality__name", "short_name"]
        verbose_name = "организация"
        verbose_name_plural = "организации"
        constraints = [
            models.UniqueConstraint(
                fields=["inn"], condition=~Q(inn=""), name="organization_unique_inn"
            ),
            models.CheckConstraint(
                condition=~Q(kind="school") | Q(municipality__isnull=False),
                name="organization_school_has_municipality",
            ),
        ]
        indexes = [models.Index(fields=["region", "kind"], name="organization_region_kind")]

    def __str__(self):
        return self.short_name

    @property
    def is_school(self) -> bool:
        return self.kind == self.Kind.SCHOOL

    @property
    def level(self) -> str:
        if self.is_school:
            return self.Level.SCHOOL
        if self.municipality_id:
            return self.Level.MUNICIPALITY
        return self.Level.REGION

    @property
    def education_levels(self) -> tuple[str, ...]:
        flags = (self.teaches_noo, self.teaches_ooo, self.teaches_soo)
        return tuple(level for level, on in zip(EDUCATION_LEVELS, flags, strict=True) if on)


class Membership(models.Model):
    """A user's role in an organization; the organization's level sets what the role covers."""

    class Role(models.TextChoices):
        REGIONAL_OPERATOR = "regional_operator", "региональный оператор"
        MUNICIPAL_COORDINATOR = "municipal_coordinator", "муниципальный координатор"
        SCHOOL_COORDINATOR = "school_coordinator", "школьный координатор"
        VIEWER = "viewer", "наблюдатель (только чтение)"

    # The level of organization each editing role belongs to.
    ROLE_LEVEL = {
        Role.REGIONAL_OPERATOR: Organization.Level.REGION,
        Role.MUNICIPAL_COORDINATOR: Organization.Level.MUNICIPALITY,
        Role.SCHOOL_COORDINATOR: Organization.Level.SCHOOL,
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="пользователь",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="организация",
    )
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    created = models.DateTimeField("создано", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "organization__short_name"]
        verbose_name = "членство"
        verbose_name_plural = "членства"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.organization})"

    @property
    def can_write(self) -> bool:
        return self.role != self.Role.VIEWER

    def clean(self):
        from django.core.exceptions import ValidationError

        expected = self.ROLE_LEVEL.get(self.role)
        if expected and self.organization_id and self.organization.level != expected:
            raise ValidationError(
                {
                    "role": f"Роль «{self.get_role_display()}» назначается только в организации "
                    f"уровня «{Organization.Level(expected).label}»."
                }
            )
