"""The roll-up of an item of a higher-level plan: how it goes in the plans made from it.

The roll-up page (roadmaps/execution_views.py) and the API both call `rollup_of`.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet

from roadmaps.models import Item


@dataclass
class Rollup:
    # item_count, not_started_count, in_progress_count, done_count, cancelled_count,
    # overdue_count over every copy the user sees.
    counts: dict
    # The copies, each with its plan, owner and municipality joined and its last report
    # (last_report_date, last_report_comment), by municipality, kind of body and name.
    copies: QuerySet


def rollup_of(user, item: Item, today: datetime.date) -> Rollup:
    """Copies of `item` in plans in force that the user sees (two levels down, whichever
    version of the item's plan they were made from), with their counts by execution state."""
    copies = Item.objects.for_user(user).copies_of(item)
    return Rollup(
        counts=copies.status_counts(today),
        copies=copies.with_last_report()
        .select_related("roadmap__owner__municipality")
        .order_by(
            F("roadmap__owner__municipality__name").asc(nulls_first=True),
            "roadmap__owner__kind",
            "roadmap__owner__short_name",
            "pk",
        ),
    )
