"""Level badges and the self-diagnosis block of the home page."""

from django import template
from django.db.models import Q
from django.utils.html import format_html

from orgs.models import Organization
from selfdiag.methodology import LEVELS
from selfdiag.models import Round, Submission

register = template.Library()


@register.simple_tag
def level_badge(level, prefix=""):
    """A coloured badge of a level: «высокий» on the level's colour."""
    if level not in LEVELS:
        return format_html('<span class="badge">{}</span>', "нет результата")
    return format_html('<span class="badge level-{}">{}{}</span>', level, prefix, LEVELS[level])


@register.filter
def level_label(level):
    return LEVELS.get(level or "", "")


@register.filter
def signed(number):
    """«+3», «−2», «0» for points deltas."""
    if number is None:
        return ""
    value = f"{abs(number):g}"
    return f"+{value}" if number > 0 else f"−{value}" if number < 0 else "0"


@register.filter
def percent(share):
    """0.734 -> «73 %»."""
    if share is None:
        return ""
    return f"{round(share * 100):d} %"


@register.inclusion_tag("selfdiag/_home_panel.html")
def selfdiag_panel(panel):
    """What the home page shows of self-diagnosis for one membership."""
    organization = panel["organization"]
    membership = panel["membership"]
    context = {"panel": panel, "organization": organization, "can_write": membership.can_write}
    if panel["level"] == "school":
        rounds = list(
            Round.objects.filter(schools=organization, status=Round.Status.OPEN)
            .with_methodology()
            .order_by("closes_on")
        )
        submissions = {
            s.round_id: s for s in Submission.objects.filter(school=organization, round__in=rounds)
        }
        for round_ in rounds:
            round_.submission = submissions.get(round_.pk)
        context["open_rounds"] = rounds
        context["latest"] = (
            Submission.objects.scored()
            .filter(school=organization)
            .select_related("round")
            .order_by("-round__closes_on", "-pk")
            .first()
        )
        return context
    if panel["level"] == "municipality":
        schools_q = {"municipality_id": organization.municipality_id}
        rounds = Round.objects.filter(
            Q(
                pk__in=Round.schools.through.objects.filter(
                    organization__municipality_id=organization.municipality_id
                ).values("round_id")
            )
        )
    else:
        schools_q = {"region_id": organization.region_id}
        rounds = Round.objects.filter(region_id=organization.region_id)
    schools = Organization.objects.filter(**schools_q)
    context["rounds"] = list(rounds.order_by("-closes_on", "name").with_progress(schools)[:4])
    context["can_open"] = panel["level"] == "region" and membership.can_write
    return context
