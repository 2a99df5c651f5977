"""Monitoring of execution: who may monitor, which plans the monitoring filters select, and the
«Информационно-аналитическая справка о ходе реализации дорожных карт» over them.

The monitoring page and its справка (roadmaps/execution_views.py) and the API
(roadmaps/api/monitoring.py) all select plans here, so they never disagree: the plans in force of
the organizations the user answers for, narrowed by `MonitoringFilterForm`. The справка's numbers
come from the roadmaps querysets the page uses (`progress_totals`, `progress_by_municipality`,
`at_level`, `overdue`); its text is generated in Russian with the numerals agreeing («утверждена
21 дорожная карта», «утверждено 25 дорожных карт»). reports/monitoring.py draws it as PDF.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import F, Prefetch, QuerySet

from orgs.models import Municipality, Organization, Region
from orgs.scope import get_scope
from portal.russian import ITEMS, PLANS, count, plural, quote
from roadmaps.execution import days_overdue, percent
from roadmaps.execution_forms import MonitoringFilterForm
from roadmaps.models import Item, ItemResponsible, Roadmap

FORBIDDEN_MESSAGE = "Мониторинг доступен участникам проекта."


def can_monitor(user) -> bool:
    """Anyone with a role in the project; each sees the plans of their own scope."""
    return not get_scope(user).is_empty


class MonitoredPlans(NamedTuple):
    """The filter form as bound to the query and the plans it selects.

    With an invalid form the plans fall back to the default selection (any level,
    municipality and year, the default status), which `status` and `municipality` then
    describe.
    """

    form: MonitoringFilterForm
    plans: QuerySet
    status: str  # the plan status selected; "" for any
    municipality: Municipality | None
    # The page opened on «любой статус» because none of the user's plans is approved yet.
    widened: bool = False


def default_status(plans) -> str:
    """What the page opens on: the approved plans, being executed; while there are none (a
    district whose plans are still drafts or on review), plans in any status, so that the
    page shows the user's plans rather than nothing."""
    return Roadmap.Status.APPROVED if plans.approved().exists() else ""


def monitored_plans(user, params) -> MonitoredPlans:
    """The plans in force that `user` monitors, filtered by the query `params` (a QueryDict)."""
    plans = Roadmap.objects.monitored_by(user).in_force()
    asked = "status" in params
    default = Roadmap.Status.APPROVED if asked else default_status(plans)
    form = MonitoringFilterForm(
        params, municipalities=Municipality.objects.for_user(user), default_status=default
    )
    widened = not asked and default == ""
    if form.is_valid():
        return MonitoredPlans(
            form,
            form.filter(plans),
            form.cleaned_data.get("status") or "",
            form.cleaned_data.get("municipality"),
            widened,
        )
    return MonitoredPlans(
        form, plans.filter(status=default) if default else plans, default, None, widened
    )


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


# The справка ------------------------------------------------------------------------------------

# The справка lists this many overdue items at most; the page lists them all.
OVERDUE_LIMIT = 300


def plans_phrase(n: int) -> str:
    return count(n, PLANS)


def items_phrase(n: int) -> str:
    return count(n, ITEMS)


@dataclass
class Line:
    """A row of the table: a municipality, the regional plans, or the total."""

    name: str
    plan_count: int
    item_count: int
    done_count: int
    overdue_count: int
    cancelled_count: int = 0
    is_total: bool = False

    @classmethod
    def of(cls, name: str, counts: dict, **kwargs) -> Line:
        return cls(
            name=name,
            plan_count=counts.get("plan_count") or 0,
            item_count=counts.get("item_count") or 0,
            done_count=counts.get("done_count") or 0,
            overdue_count=counts.get("overdue_count") or 0,
            cancelled_count=counts.get("cancelled_count") or 0,
            **kwargs,
        )

    @property
    def done_percent(self) -> int:
        return percent(self.done_count, self.item_count)

    @property
    def overdue_percent(self) -> int:
        return percent(self.overdue_count, self.item_count)


@dataclass
class Spravka:
    today: datetime.date
    territory: str
    place: str  # «в регионе», «в муниципальном образовании»
    status: str  # the plan status selected; "" for any
    status_label: str
    totals: dict
    by_level: dict[str, int]
    lines: list[Line]
    total: Line
    overdue: list = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    @property
    def overdue_shown(self) -> int:
        return len(self.overdue)

    @property
    def overdue_total(self) -> int:
        return self.total.overdue_count


def build_spravka(
    plans,
    items,
    *,
    today: datetime.date,
    territory: str,
    place: str,
    status: str = "",
    status_label: str = "",
) -> Spravka:
    """The справка over the plans the caller selected.

    plans: `Roadmap.objects.monitored_by(user).in_force()` with the monitoring filters applied;
    items: `Item.objects.for_user(user)`.
    """
    totals = plans.progress_totals(today)
    by_level = {
        level: plans.at_level(level).count() for level in ("region", "municipality", "school")
    }
    lines = []
    if by_level["region"]:
        lines.append(
            Line.of("Региональный уровень", plans.at_level("region").progress_totals(today))
        )
    lines += [
        Line.of(row["municipality_name"], row) for row in plans.progress_by_municipality(today)
    ]
    total = Line.of("Итого", totals, is_total=True)
    overdue = list(
        items.filter(roadmap__in=plans.values("pk"))
        .overdue(today)
        .select_related("roadmap__owner__municipality")
        .prefetch_related(
            Prefetch(
                "itemresponsible_set",
                queryset=ItemResponsible.objects.select_related("party").order_by("position"),
                to_attr="responsible_rows",
            )
        )
        .with_occurrences()
        .by_overdue_since()[:OVERDUE_LIMIT]
    )
    for item in overdue:
        item.days_overdue = days_overdue(item, today)
        names = [link.party.name for link in item.responsible_rows]
        item.responsible_names = ", ".join(names) or item.responsible_text or "—"
    spravka = Spravka(
        today=today,
        territory=territory,
        place=place,
        status=status,
        status_label=status_label,
        totals=totals,
        by_level=by_level,
        lines=lines,
        total=total,
        overdue=overdue,
    )
    spravka.paragraphs = summary_text(spravka)
    return spravka


def _counted_plans(spravka: Spravka) -> str:
    n = spravka.total.plan_count
    if spravka.status == "approved":
        verb = plural(n, "утверждена", "утверждены", "утверждено")
        return f"{spravka.place} {verb} {plans_phrase(n)}"
    if spravka.status:
        return (
            f"{spravka.place} в статусе {quote(spravka.status_label)} "
            f"{plural(n, 'находится', 'находятся', 'находится')} {plans_phrase(n)}"
        )
    return f"{spravka.place} {plural(n, 'учтена', 'учтены', 'учтено')} {plans_phrase(n)}"


def summary_text(spravka: Spravka) -> list[str]:
    """The paragraphs of the справка, from its numbers."""
    total, levels = spravka.total, spravka.by_level
    first = f"По состоянию на {spravka.today:%d.%m.%Y} {_counted_plans(spravka)}"
    parts = [
        f"{label} — {levels[key]}"
        for key, label in (
            ("region", "регионального уровня"),
            ("municipality", "муниципального уровня"),
            ("school", "уровня общеобразовательных организаций"),
        )
        if levels[key]
    ]
    first += f" ({', '.join(parts)})." if parts and total.plan_count else "."
    paragraphs = [first]
    if not total.item_count:
        paragraphs.append("Мероприятий в этих дорожных картах пока нет.")
        return paragraphs

    totals = spravka.totals
    second = (
        f"Дорожными картами предусмотрено {items_phrase(total.item_count)}; "
        f"выполнено {total.done_count} ({total.done_percent} %), "
        f"выполняется {totals.get('in_progress_count') or 0}, "
        f"не начато {totals.get('not_started_count') or 0}"
    )
    if total.cancelled_count:
        second += f", отменено {total.cancelled_count}"
    second += "."
    paragraphs.append(second)
    if total.overdue_count:
        paragraphs.append(
            f"Просрочено {items_phrase(total.overdue_count)} ({total.overdue_percent} % "
            "от общего числа): срок их исполнения истёк, а отметки о выполнении нет."
        )
    else:
        paragraphs.append("Просроченных мероприятий нет.")

    municipalities = [line for line in spravka.lines if line.name != "Региональный уровень"]
    lagging = max(municipalities, key=lambda line: line.overdue_count, default=None)
    if lagging is not None and lagging.overdue_count and len(municipalities) > 1:
        share = percent(lagging.overdue_count, total.overdue_count)
        paragraphs.append(
            "Наибольшее число просроченных мероприятий — в муниципальном образовании "
            f"{quote(lagging.name)}: {lagging.overdue_count} ({share} % всех просроченных)."
        )
    with_items = [line for line in municipalities if line.item_count]
    if len(with_items) > 1:
        best = max(with_items, key=lambda line: (line.done_percent, line.item_count))
        worst = min(with_items, key=lambda line: (line.done_percent, -line.item_count))
        if best.done_percent != worst.done_percent:
            paragraphs.append(
                f"Наибольшая доля выполненных мероприятий — {quote(best.name)} "
                f"({best.done_percent} %), наименьшая — {quote(worst.name)} "
                f"({worst.done_percent} %)."
            )
    return paragraphs


def _territory(user, municipality) -> tuple[str, str]:
    """The territory the справка covers and the words for «where»: («Ленинградская область»,
    «в регионе»)."""
    if municipality is not None:
        return municipality.name, "в муниципальном образовании"
    scope = get_scope(user)
    if scope.is_superuser:
        return "Все субъекты РФ", "на портале"
    if scope.regions:
        names = Region.objects.filter(pk__in=scope.regions).values_list("name", flat=True)
        return ", ".join(names), "в регионе" if len(scope.regions) == 1 else "в регионах"
    if scope.municipalities:
        names = Municipality.objects.filter(pk__in=scope.municipalities).values_list(
            "name", flat=True
        )
        return ", ".join(names), "в муниципальном образовании"
    names = Organization.objects.filter(pk__in=scope.organizations).values_list(
        "short_name", flat=True
    )
    return ", ".join(names), "в организации"


def filter_caption(form) -> str:
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    parts = []
    if data.get("level"):
        parts.append(f"уровень — {Organization.Level(data['level']).label}")
    if data.get("municipality"):
        parts.append(f"муниципальное образование — {data['municipality'].name}")
    if data.get("status"):
        parts.append(f"статус планов — {quote(Roadmap.Status(data['status']).label)}")
    else:
        parts.append("статус планов — любой")
    if data.get("year"):
        parts.append(f"год — {data['year']}")
    return "; ".join(parts)


def spravka_for(user, selected: MonitoredPlans, today: datetime.date) -> Spravka:
    """The справка over the plans the monitoring filters selected, as the page and the API
    download it."""
    status = selected.status
    territory, place = _territory(user, selected.municipality)
    return build_spravka(
        selected.plans,
        Item.objects.for_user(user),
        today=today,
        territory=territory,
        place=place,
        status=status,
        status_label=Roadmap.Status(status).label if status else "",
    )
