"""Queries compiled once per process (portal/prepared.py): the same rows and Python values as
the ORM gives, on SQLite and PostgreSQL alike, for every value of the parameters; and the
autosave's round and school through them, with the scope's 404s."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from orgs.models import Membership, Municipality, Organization, Region
from orgs.scope import Scope, build_scope
from portal.prepared import Columns, Prepared
from selfdiag.access import get_round_and_school
from selfdiag.models import Methodology, MethodologyDirection, Round, Submission
from tests.factories import make_round, make_submission, make_user


def _rounds(round_pk):
    return (
        Round.objects.filter(pk=round_pk)
        .order_by()
        .values_list("name", "opens_on", "methodology__revision", "methodology__loaded_at")
    )


def test_rows_are_the_orms_for_each_value(world):
    prepared = Prepared(_rounds, params=("round_pk",))
    first = make_round(world.region, [world.school], name="Весенний раунд")
    second = make_round(world.region, [world.sibling_school], name="Осенний раунд")
    for round_ in (first, second, first):
        rows = prepared.rows(round_pk=round_.pk)
        assert rows == list(_rounds(round_.pk))
        # The ORM's conversions: a UUID and an aware datetime on SQLite too, not text.
        assert [type(value) for value in rows[0]] == [type(v) for v in _rounds(round_.pk)[0]]
        assert rows[0][0] == round_.name
    assert prepared.rows(round_pk=second.pk + 1000) == []
    assert prepared.row(round_pk=second.pk + 1000) is None


def test_each_shape_is_compiled_on_its_own(world):
    def build(user_pk, scope):
        return (
            Membership.objects.filter(scope.organization_q("organization__"), user_id=user_pk)
            .order_by("pk")
            .values_list("organization_id")
        )

    prepared = Prepared(build, params=("user_pk",))
    regional = build_scope(world.operator)
    school_only = Scope(organizations=frozenset({world.school.pk}))
    found = {}
    for scope in (regional, school_only, Scope()):
        found[scope] = prepared.rows(
            shape=scope, extra={"scope": scope}, user_pk=world.municipal.pk
        )
    # The municipal coordinator's body is in the region, not the school; an empty scope covers
    # nothing (the ORM does not even send that query) and gives no rows.
    assert found[regional] == [(world.omsu.pk,)]
    assert found[school_only] == [] and found[Scope()] == []


def test_a_parameter_the_sql_does_not_use_is_an_error(db):
    prepared = Prepared(lambda round_pk: Round.objects.values_list("pk"), params=("round_pk",))
    with pytest.raises(ValueError, match="round_pk"):
        prepared.rows(round_pk=1)


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def test_the_autosave_gets_the_same_round_and_school_as_the_orm(world):
    round_ = make_round(world.region, [world.school])
    got_round, got_school = get_round_and_school(
        _request(world.school_user), str(round_.pk), str(world.school.pk)
    )
    stored = Round.objects.select_related("methodology", "region").get(pk=round_.pk)
    school = Organization.objects.select_related("municipality", "region").get(pk=world.school.pk)
    for model, got, expected in (
        (Round, got_round, stored),
        (Methodology, got_round.methodology, stored.methodology),
        (Region, got_round.region, stored.region),
        (Organization, got_school, school),
        (Municipality, got_school.municipality, school.municipality),
        (Region, got_school.region, school.region),
    ):
        for attname in Columns(model).attnames:
            assert getattr(got, attname) == getattr(expected, attname), (model, attname)
    # Saving through them works as through the ORM's own instances.
    submission = make_submission(got_round, got_school, {"Z1": "yes"})
    assert Submission.objects.get(pk=submission.pk).school_id == world.school.pk


@pytest.mark.parametrize(
    "who, school, pk",
    [
        ("outsider", "school", "round"),  # a school of another region
        ("school_user", "sibling_school", "round"),  # the neighbouring school
        ("school_user", "school", "other"),  # a round the school does not take part in
        ("school_user", "school", "junk"),  # not an id
    ],
)
def test_the_autosave_404s_outside_the_scope(world, who, school, pk):
    round_ = make_round(world.region, [world.school, world.sibling_school])
    other = make_round(world.region, [world.sibling_school], name="Другой раунд")
    pks = {"round": str(round_.pk), "other": str(other.pk), "junk": "1e3"}
    with pytest.raises(Http404):
        get_round_and_school(_request(getattr(world, who)), pks[pk], str(getattr(world, school).pk))


def test_a_new_membership_counts_at_the_next_request(world):
    round_ = make_round(world.region, [world.school])
    newcomer = make_user("novichok")
    with pytest.raises(Http404):
        get_round_and_school(_request(newcomer), round_.pk, world.school.pk)
    Membership.objects.create(
        user=newcomer, organization=world.school, role=Membership.Role.SCHOOL_COORDINATOR
    )
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)  # the next request's user
    got_round, got_school = get_round_and_school(_request(newcomer), round_.pk, world.school.pk)
    assert (got_round.pk, got_school.pk) == (round_.pk, world.school.pk)


def test_a_parameter_on_a_column_its_stand_in_does_not_fit_is_an_error(db):
    """Django answers a lookup with a value out of the column's range with no rows: a query
    kept as «always empty» because of its stand-in would be wrong for every real value."""
    prepared = Prepared(
        lambda position: MethodologyDirection.objects.filter(position=position).values_list("pk"),
        params=("position",),
    )
    with pytest.raises(ValueError, match="out of its column's range"):
        prepared.rows(position=1)


def test_the_questionnaire_names_who_returned_it_and_a_fresh_one_has_nobody(world, client_for):
    """The submission with its sender and reviewer comes from one prepared query, the two
    people joined from the users table, either of them missing while nobody has acted."""
    world.municipal.first_name, world.municipal.last_name = "Ирина", "Соколова"
    world.municipal.save()
    round_ = make_round(world.region, [world.school, world.sibling_school])
    make_submission(
        round_, world.school, {"Z1": "yes"}, status="returned", by=world.municipal,
        comment="Уточните ответ Z1.",
    )  # fmt: skip
    make_submission(round_, world.sibling_school, {"Z1": "no"})
    client = client_for(world.municipal)
    returned = client.get(f"/selfdiag/rounds/{round_.pk}/schools/{world.school.pk}/")
    page = returned.content.decode()
    assert "Анкета возвращена на доработку" in page
    assert "Ирина Соколова" in page and "Уточните ответ Z1." in page
    draft = client.get(f"/selfdiag/rounds/{round_.pk}/schools/{world.sibling_school.pk}/")
    assert draft.status_code == 200 and "Анкета возвращена" not in draft.content.decode()


def test_the_autosaves_own_updates_write_what_the_orm_reads_back(world, client_for):
    """The two UPDATEs of an autosave are written once as SQL (selfdiag/answering.py): the
    option, who and when, and the submission's `updated`, the same instant, read back by the
    ORM as an aware datetime on either database."""
    from django.utils import timezone

    from selfdiag.models import Answer

    round_ = make_round(world.region, [world.school])
    client = client_for(world.school_user)
    answer_url = f"/selfdiag/rounds/{round_.pk}/schools/{world.school.pk}/answer/"
    client.post(answer_url, {"indicator": "Z1", "option": "yes"}, HTTP_HX_REQUEST="true")
    submission = Submission.objects.get(round=round_, school=world.school)
    first_touch = submission.updated
    before = timezone.now()
    response = client.post(answer_url, {"indicator": "Z1", "option": "no"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    answer = Answer.objects.get(submission=submission, indicator__code="Z1")
    submission.refresh_from_db()
    assert answer.option.code == "no" and answer.answered_by == world.school_user
    assert timezone.is_aware(answer.answered_at)
    assert before <= answer.answered_at <= timezone.now()
    assert submission.updated == answer.answered_at > first_touch
    assert Answer.objects.filter(submission=submission).count() == 1


def test_a_round_comes_as_the_orm_gives_it_and_another_regions_is_a_404(world):
    from selfdiag.access import get_round_for_user

    round_ = make_round(world.region, [world.school])
    got = get_round_for_user(_request(world.municipal), str(round_.pk))
    stored = Round.objects.with_methodology().get(pk=round_.pk)
    for model, mine, theirs in (
        (Round, got, stored),
        (Region, got.region, stored.region),
        (Methodology, got.methodology, stored.methodology),
    ):
        for attname in Columns(model).attnames:
            assert getattr(mine, attname) == getattr(theirs, attname), (model, attname)
    for who, pk in (("outsider", str(round_.pk)), ("municipal", "0"), ("municipal", "x")):
        with pytest.raises(Http404):
            get_round_for_user(_request(getattr(world, who)), pk)
