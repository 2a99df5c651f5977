"""Monitoring of execution: who may monitor, and which plans the monitoring filters select.

The monitoring page (roadmaps/execution_views.py), its справка (reports/analytics_views.py) and
the API (roadmaps/api/monitoring.py) all select plans here, so they never disagree: the plans in
force of the organizations the user answers for, narrowed by `MonitoringFilterForm`.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import F, QuerySet

from orgs.models import Municipality
from orgs.scope import get_scope
from roadmaps.execution_forms import MonitoringFilterForm
from roadmaps.models import Roadmap

FORBIDDEN_MESSAGE = "Мониторинг доступен участникам проекта."


def can_monitor(user) -> bool:
    """Anyone with a role in the project; each sees the plans of their own scope."""
    return not get_scope(user).is_empty


class MonitoredPlans(NamedTuple):
    """The filter form as bound to the query and the plans it selects.

    With an invalid form the plans fall back to the default selection (approved ones, any level,
    municipality and year), which `status` and `municipality` then describe.
    """

    form: MonitoringFilterForm
    plans: QuerySet
    status: str  # the plan status selected; "" for any
    municipality: Municipality | None


def monitored_plans(user, params) -> MonitoredPlans:
    """The plans in force that `user` monitors, filtered by the query `params` (a QueryDict)."""
    form = MonitoringFilterForm(params, municipalities=Municipality.objects.for_user(user))
    plans = Roadmap.objects.monitored_by(user).in_force()
    if form.is_valid():
        return MonitoredPlans(
            form,
            form.filter(plans),
            form.cleaned_data.get("status") or "",
            form.cleaned_data.get("municipality"),
        )
    return MonitoredPlans(form, plans.approved(), Roadmap.Status.APPROVED, None)


def owner_order() -> list:
    """Plans by municipality (regional ones first), then by the owner's kind and name, newest
    period first; the id last keeps plans equal in all of these in one order from page to page."""
    return [
        F("owner__municipality__name").asc(nulls_first=True),
        "owner__kind",
        "owner__short_name",
        "-period_start",
        "pk",
    ]


def plans_with_progress(plans, today):
    """The list of plans the page shows: each with its progress counts and owner, in order."""
    return plans.with_progress(today).select_related("owner__municipality").order_by(*owner_order())
