"""Demo directory: Ленинградская область with its bodies, six districts and ~30 schools.

Everything is created with update_or_create on stable keys, so running it again changes
nothing. The users get fixed passwords that seed_demo prints.
"""

import random

from django.contrib.auth import get_user_model

from orgs.models import Membership, Municipality, Organization, Region
from orgs.validators import _INN10, _check_digit

DEMO_PASSWORD = "shkola-demo-2024"

MUNICIPALITIES = [
    ("Гатчинский муниципальный округ", Municipality.Kind.MUNICIPAL_OKRUG, "Гатчина"),
    ("Всеволожский муниципальный район", Municipality.Kind.MUNICIPAL_DISTRICT, "Всеволожск"),
    ("Выборгский район", Municipality.Kind.MUNICIPAL_DISTRICT, "Выборг"),
    ("Лужский муниципальный район", Municipality.Kind.MUNICIPAL_DISTRICT, "Луга"),
    ("Тихвинский район", Municipality.Kind.MUNICIPAL_DISTRICT, "Тихвин"),
    ("Сосновоборский городской округ", Municipality.Kind.CITY_OKRUG, "Сосновый Бор"),
]
SCHOOLS_PER_MUNICIPALITY = (7, 6, 5, 4, 4, 4)


def demo_inn(seed: int) -> str:
    """A valid ИНН of a Leningrad-region organization, stable for a given seed."""
    body = f"47{seed:07d}"[:9]
    digits = [int(c) for c in body]
    return body + str(_check_digit(digits, _INN10))


def _school_name(town: str, number: int, kind: str) -> tuple[str, str]:
    if kind == "lyceum":
        return (
            f"МБОУ «Лицей № {number}» г. {town}",
            f"Муниципальное бюджетное общеобразовательное учреждение «Лицей № {number}» г. {town}",
        )
    if kind == "oosh":
        return (
            f"МОУ «{town} ООШ № {number}»",
            f"Муниципальное общеобразовательное учреждение «Основная общеобразовательная "
            f"школа № {number}» г. {town}",
        )
    return (
        f"МБОУ «{town} СОШ № {number}»",
        f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная "
        f"школа № {number}» г. {town}",
    )


def seed_directory() -> dict:
    region = Region.objects.get(code="47")
    rng = random.Random(47)
    bodies = {}
    for key, kind, short, name in [
        (
            "koipo",
            Organization.Kind.REGIONAL_AUTHORITY,
            "КОиПО ЛО",
            "Комитет общего и профессионального образования Ленинградской области",
        ),
        (
            "loiro",
            Organization.Kind.REGIONAL_OPERATOR,
            "ГАОУ ДПО «ЛОИРО»",
            "Государственное автономное образовательное учреждение дополнительного "
            "профессионального образования «Ленинградский областной институт развития "
            "образования»",
        ),
    ]:
        bodies[key], _ = Organization.objects.update_or_create(
            region=region,
            municipality=None,
            short_name=short,
            defaults={"kind": kind, "name": name},
        )
    schools = []
    inn_seed = 1000
    for (mun_name, mun_kind, town), count in zip(
        MUNICIPALITIES, SCHOOLS_PER_MUNICIPALITY, strict=True
    ):
        municipality, _ = Municipality.objects.update_or_create(
            region=region, name=mun_name, defaults={"kind": mun_kind}
        )
        district = mun_name.split()[0]
        Organization.objects.update_or_create(
            region=region,
            municipality=municipality,
            kind=Organization.Kind.MUNICIPAL_AUTHORITY,
            defaults={
                "short_name": f"Комитет образования ({district})",
                "name": f"Комитет образования администрации МО «{mun_name}»",
            },
        )
        Organization.objects.update_or_create(
            region=region,
            municipality=municipality,
            kind=Organization.Kind.METHODICAL_SERVICE,
            defaults={
                "short_name": f"ММС ({district})",
                "name": f"Муниципальная методическая служба, МО «{mun_name}»",
            },
        )
        for number in range(1, count + 1):
            kind = rng.choice(["sosh", "sosh", "sosh", "lyceum", "oosh"])
            short, full = _school_name(town, number, kind)
            inn_seed += 1
            school, _ = Organization.objects.update_or_create(
                region=region,
                inn=demo_inn(inn_seed),
                defaults={
                    "kind": Organization.Kind.SCHOOL,
                    "municipality": municipality,
                    "short_name": short,
                    "name": full,
                    "address": f"Ленинградская обл., г. {town}, ул. Школьная, д. {number}",
                    "teaches_noo": kind != "lyceum" or number % 2 == 0,
                    "teaches_ooo": True,
                    "teaches_soo": kind != "oosh",
                    "has_ovz_pupils": rng.random() < 0.6,
                    "in_project_since": rng.choice([2022, 2023, 2024]),
                },
            )
            schools.append(school)
    return {"region": region, "bodies": bodies, "schools": schools}


def _user(username, first_name, last_name, *, is_superuser=False):
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@example.ru",
            "is_staff": is_superuser,
            "is_superuser": is_superuser,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def seed_users(directory: dict) -> list[tuple[str, str, str]]:
    """The demo users, one per role; returns (username, role, organization) rows to print."""
    region = directory["region"]
    gatchina = Municipality.objects.get(region=region, name=MUNICIPALITIES[0][0])
    omsu = Organization.objects.get(
        municipality=gatchina, kind=Organization.Kind.MUNICIPAL_AUTHORITY
    )
    school = (
        Organization.objects.filter(municipality=gatchina, kind=Organization.Kind.SCHOOL)
        .order_by("short_name")
        .first()
    )
    cast = [
        (
            "operator",
            "Ирина",
            "Смирнова",
            directory["bodies"]["loiro"],
            Membership.Role.REGIONAL_OPERATOR,
        ),
        ("municipal", "Олег", "Петров", omsu, Membership.Role.MUNICIPAL_COORDINATOR),
        ("school", "Анна", "Кузнецова", school, Membership.Role.SCHOOL_COORDINATOR),
        ("viewer", "Сергей", "Иванов", directory["bodies"]["koipo"], Membership.Role.VIEWER),
    ]
    rows = []
    for username, first, last, organization, role in cast:
        user = _user(username, first, last)
        Membership.objects.update_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        rows.append((username, Membership.Role(role).label, organization.short_name))
    _user("admin", "Администратор", "Портала", is_superuser=True)
    rows.append(("admin", "администратор портала", "все регионы"))
    return rows
