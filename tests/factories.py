"""Plain `make_*` helpers: each sets sensible defaults and takes any field as a keyword."""

import itertools

from django.contrib.auth import get_user_model

from orgs.models import Membership, Municipality, Organization, Region

_counter = itertools.count(1)


def make_region(code="47", **kwargs):
    region = Region.objects.filter(code=code).first()
    if region:
        return region
    kwargs.setdefault("name", f"Регион {code}")
    return Region.objects.create(code=code, **kwargs)


def make_municipality(region=None, **kwargs):
    kwargs.setdefault("name", f"Район {next(_counter)}")
    return Municipality.objects.create(region=region or make_region(), **kwargs)


def make_organization(**kwargs):
    n = next(_counter)
    municipality = kwargs.get("municipality")
    kwargs.setdefault("region", municipality.region if municipality else make_region())
    kwargs.setdefault("kind", Organization.Kind.OTHER)
    kwargs.setdefault("short_name", f"Организация {n}")
    kwargs.setdefault("name", f"Полное наименование организации {n}")
    return Organization.objects.create(**kwargs)


def make_school(municipality=None, **kwargs):
    municipality = municipality or make_municipality()
    n = next(_counter)
    kwargs.setdefault("short_name", f"МБОУ «СОШ № {n}»")
    kwargs.setdefault("name", f"Муниципальное бюджетное общеобразовательное учреждение № {n}")
    kwargs.setdefault("teaches_noo", True)
    kwargs.setdefault("teaches_ooo", True)
    kwargs.setdefault("teaches_soo", True)
    return make_organization(kind=Organization.Kind.SCHOOL, municipality=municipality, **kwargs)


def make_user(username=None, **kwargs):
    username = username or f"user{next(_counter)}"
    password = kwargs.pop("password", "pass-for-tests")
    user = get_user_model().objects.create(username=username, **kwargs)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def make_member(organization, role, username=None):
    user = make_user(username)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_roadmap(owner, **kwargs):
    import datetime

    from roadmaps.models import Roadmap

    kwargs.setdefault(
        "title", f"План мероприятий («дорожная карта») {owner.short_name} на 2024 год"
    )
    kwargs.setdefault("period_start", datetime.date(2024, 1, 1))
    kwargs.setdefault("period_end", datetime.date(2024, 12, 31))
    return Roadmap.objects.create(owner=owner, **kwargs)


def make_section(roadmap, **kwargs):
    from roadmaps.models import Section

    position = roadmap.sections.count() + 1
    kwargs.setdefault("number", str(position))
    kwargs.setdefault("title", f"Раздел {position}")
    kwargs.setdefault("position", position)
    return Section.objects.create(roadmap=roadmap, **kwargs)


def make_item(section, **kwargs):
    from roadmaps.models import Item

    position = section.items.count() + 1
    kwargs.setdefault("number", f"{section.number}.{position}")
    kwargs.setdefault("title", f"Мероприятие {section.number}.{position}")
    kwargs.setdefault("deadline_text", "в течение года")
    kwargs.setdefault("deadline_kind", "continuous")
    kwargs.setdefault("deadline_start", section.roadmap.period_start)
    kwargs.setdefault("deadline_end", section.roadmap.period_end)
    kwargs.setdefault("position", position)
    return Item.objects.create(roadmap=section.roadmap, section=section, **kwargs)
