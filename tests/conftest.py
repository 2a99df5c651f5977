"""The cast every test can call on.

Ленинградская область (47) has a regional operator at the institute and a read-only viewer at
the committee; its district has a municipal coordinator; a school there has a school
coordinator. The outsider works at a school of another region.
"""

from dataclasses import dataclass

import pytest

from orgs.models import Membership, Organization
from tests.factories import (
    make_member,
    make_municipality,
    make_organization,
    make_region,
    make_school,
    make_user,
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    region: object
    municipality: object
    other_municipality: object
    ministry: object
    institute: object
    omsu: object
    school: object
    sibling_school: object
    other_school: object
    foreign_region: object
    foreign_school: object
    operator: object
    municipal: object
    school_user: object
    viewer: object
    outsider: object


@pytest.fixture
def world(db):
    region = make_region("47", name="Ленинградская область")
    municipality = make_municipality(region, name="Гатчинский муниципальный округ")
    other_municipality = make_municipality(region, name="Лужский муниципальный район")
    ministry = make_organization(
        region=region, kind=Organization.Kind.REGIONAL_AUTHORITY, short_name="КОиПО ЛО"
    )
    institute = make_organization(
        region=region, kind=Organization.Kind.REGIONAL_OPERATOR, short_name="ГАОУ ДПО «ЛОИРО»"
    )
    omsu = make_organization(
        region=region,
        municipality=municipality,
        kind=Organization.Kind.MUNICIPAL_AUTHORITY,
        short_name="Комитет образования Гатчинского МО",
    )
    school = make_school(municipality, short_name="МБОУ «Гатчинская СОШ № 1»")
    sibling_school = make_school(municipality, short_name="МБОУ «Гатчинская СОШ № 2»")
    other_school = make_school(other_municipality, short_name="МОУ «Лужская СОШ № 3»")
    foreign_region = make_region("72", name="Тюменская область")
    foreign_school = make_school(
        make_municipality(foreign_region, name="Тобольский район"), short_name="МАОУ СОШ № 9"
    )
    Role = Membership.Role
    return World(
        region=region,
        municipality=municipality,
        other_municipality=other_municipality,
        ministry=ministry,
        institute=institute,
        omsu=omsu,
        school=school,
        sibling_school=sibling_school,
        other_school=other_school,
        foreign_region=foreign_region,
        foreign_school=foreign_school,
        operator=make_member(institute, Role.REGIONAL_OPERATOR, "operator"),
        municipal=make_member(omsu, Role.MUNICIPAL_COORDINATOR, "municipal"),
        school_user=make_member(school, Role.SCHOOL_COORDINATOR, "school"),
        viewer=make_member(ministry, Role.VIEWER, "viewer"),
        outsider=make_member(foreign_school, Role.SCHOOL_COORDINATOR, "outsider"),
    )


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: `client_for(world.operator)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
