from django import template

from portal.russian import DAYS, ENTRIES, count, plural

register = template.Library()


def _days(n: int) -> str:
    return count(n, DAYS)


@register.filter
def days_phrase(days_left) -> str:
    """«осталось 3 дня», «остался 1 день», «сегодня последний день», «просрочено на 5 дней»."""
    if days_left is None:
        return ""
    if days_left == 0:
        return "сегодня последний день"
    if days_left < 0:
        return f"просрочено на {_days(-days_left)}"
    verb = plural(days_left, "остался", "осталось", "осталось")
    return f"{verb} {_days(days_left)}"


@register.filter
def entries_phrase(n: int) -> str:
    """«1 запись», «3 записи», «5 записей»."""
    return count(n, ENTRIES)


# Entries per kind on the home page; the page /inbox/ lists up to entries.LIMIT.
HOME_LIMIT = 5


@register.inclusion_tag("inbox/_home_panel.html", takes_context=True)
def inbox_panel(context):
    """The home page's «Ожидает моих действий»: the first entries of each kind."""
    from inbox.entries import inbox_for

    user = context["request"].user
    # The menu's count, already made for this request: the totals of the groups.
    counts = context.get("inbox_count")
    inbox = inbox_for(user, limit=HOME_LIMIT, counts=counts)
    return {"inbox": inbox, "request": context["request"]}
