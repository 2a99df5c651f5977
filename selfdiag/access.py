"""Who may do what in self-diagnosis. Views, exports and the home panel all ask here.

- Reading a round follows `Round.objects.for_user`; inside it, a user sees the schools of their
  scope only. A school outside the scope is a 404, as is a round of another region.
- Answering and submitting needs a writing membership that covers the school.
- Reviewing (accept, return), the Excel template and the import need a writing membership one
  level up: the school's municipality or its region.
- Opening and closing rounds is for the region's writing bodies (the regional operator).

The `require_*` helpers raise django's PermissionDenied with the reason in Russian; the pages
show it on the 403 page, and the API (DRF turns it into its own PermissionDenied) in `detail`.
The reason is the same on both for the same refusal.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from orgs.models import Municipality, Organization, Region
from orgs.scope import get_scope
from portal.prepared import Columns, Prepared
from selfdiag.models import Methodology, Round, Submission
from selfdiag.plans import PLAN_WRITERS_MESSAGE

READ_ONLY_MESSAGE = "У вас есть доступ к этой анкете только для чтения."
REVIEWERS_MESSAGE = "Проверяет анкету региональный оператор или муниципальный координатор."
ROUND_MANAGERS_MESSAGE = "Закрыть или открыть раунд может региональный оператор."
ROUND_OPENERS_MESSAGE = "Открыть раунд может региональный оператор."
ROUND_REVIEWERS_MESSAGE = "Это доступно региональному оператору и муниципальному координатору."


def review_q(user, prefix: str = "") -> Q:
    """Schools whose submissions the user reviews: their region's or municipality's writers."""
    scope = get_scope(user)
    if scope.is_superuser:
        return Q()
    q = Q(pk__in=[])
    if scope.write_regions:
        q |= Q(**{f"{prefix}region_id__in": scope.write_regions})
    if scope.write_municipalities:
        q |= Q(**{f"{prefix}municipality_id__in": scope.write_municipalities})
    return q


def can_write_school(user, school: Organization) -> bool:
    return get_scope(user).covers(school, write=True)


def can_review(user, school: Organization) -> bool:
    scope = get_scope(user)
    return (
        scope.is_superuser
        or school.region_id in scope.write_regions
        or school.municipality_id in scope.write_municipalities
    )


def can_answer(user, round_: Round, school: Organization, submission: Submission | None) -> bool:
    """May the user change the school's answers and send them now: a writer of the school, and
    the questionnaire editable (or none yet, in an open round)."""
    if not can_write_school(user, school):
        return False
    if submission is None:
        return round_.is_open
    submission.round = round_
    return submission.is_editable


def can_manage_round(user, round_: Round) -> bool:
    scope = get_scope(user)
    return scope.is_superuser or round_.region_id in scope.write_regions


def creatable_regions(user) -> list[Region]:
    """The regions in which the user may open a round (the page and the API ask here)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return list(Region.objects.filter(municipalities__isnull=False).distinct())
    return list(Region.objects.filter(pk__in=scope.write_regions))


# As RoundQuerySet.with_methodology: the region, the methodology but for its source document.
_ROUND_OF = Prepared(
    lambda round_pk, scope: Round.objects.for_scope(scope).filter(pk=round_pk),
    params=("round_pk",),
    columns=(
        Columns(Round),
        Columns(Region, "region__"),
        Columns(Methodology, "methodology__", exclude=("source",)),
    ),
)


def get_round_for_user(request, pk) -> Round:
    """A round the user sees (404 otherwise), with its region and methodology, in a query
    compiled once per scope: every page of a round starts here."""
    round_, region, methodology = _ROUND_OF.in_scope(
        get_scope(request.user), "Нет такого раунда.", round_pk=pk
    )
    round_.region, round_.methodology = region, methodology
    return round_


def schools_in_scope(user, round_: Round):
    """The round's schools the user sees."""
    return round_.schools.filter(get_scope(user).organization_q())


def reviewed_schools(user, round_: Round):
    """The round's schools the user reviews (and may load results for)."""
    return round_.schools.filter(review_q(user))


# The round with its region and its methodology but for the source document (tens of kilobytes
# of JSON no page reads), the school with its municipality and region.
_ROUND_AND_SCHOOL = Prepared(
    lambda round_pk, school_pk, scope: Round.schools.through.objects.filter(
        scope.organization_q("organization__"), round_id=round_pk, organization_id=school_pk
    ),
    params=("round_pk", "school_pk"),
    columns=(
        Columns(Round, "round__"),
        Columns(Region, "round__region__"),
        Columns(Methodology, "round__methodology__", exclude=("source",)),
        Columns(Organization, "organization__"),
        Columns(Municipality, "organization__municipality__"),
        Columns(Region, "organization__region__"),
    ),
)


def get_round_and_school(request, pk, school_pk) -> tuple[Round, Organization]:
    """The round and one of its schools the user sees, for every page of one school in a round
    (the questionnaire, its autosave, a request per click, the result): the row of the round's
    school list with both sides joined, in one query compiled once per scope. A school in the
    user's scope taking part in the round makes the round one the user sees
    (RoundQuerySet.for_user); any other round or school is a 404."""
    round_, region, methodology, school, municipality, school_region = _ROUND_AND_SCHOOL.in_scope(
        get_scope(request.user), "Нет такой анкеты.", round_pk=pk, school_pk=school_pk
    )
    round_.region, round_.methodology = region, methodology
    school.municipality, school.region = municipality, school_region
    return round_, school


def require_reviewer(user, round_: Round) -> None:
    """The round's Excel template and loading it back: whoever reviews some of its schools."""
    if not reviewed_schools(user, round_).exists():
        raise PermissionDenied(ROUND_REVIEWERS_MESSAGE)


def require_can_answer(user, school: Organization) -> None:
    """Starting, answering and sending the school's questionnaire (whether its state allows
    that is the submission's to say: Submission.submit, selfdiag.answering)."""
    if not can_write_school(user, school):
        raise PermissionDenied(READ_ONLY_MESSAGE)


def require_can_review(user, school: Organization) -> None:
    """Accepting or returning the school's questionnaire (Submission.review)."""
    if not can_review(user, school):
        raise PermissionDenied(REVIEWERS_MESSAGE)


def require_can_plan(user, school: Organization) -> None:
    """Writing the school's plan from its deficits."""
    if not can_write_school(user, school):
        raise PermissionDenied(PLAN_WRITERS_MESSAGE)


def require_round_manager(user, round_: Round) -> None:
    """Closing and reopening the round."""
    if not can_manage_round(user, round_):
        raise PermissionDenied(ROUND_MANAGERS_MESSAGE)


def require_round_opener(user) -> list[Region]:
    """Opening a round: returns the regions the user may open one in."""
    regions = creatable_regions(user)
    if not regions:
        raise PermissionDenied(ROUND_OPENERS_MESSAGE)
    return regions
