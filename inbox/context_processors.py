"""The menu's «Ожидает действий (3)» on every page: counted only when a template asks, and kept
per user for INBOX_COUNT_SECONDS.

The count is one query, but building it (seven scalar subqueries, each with its scope) costs
17-22 ms of Python per page (bench/profile_page.py): more than the rest of an approved plan page. A
few seconds' delay in the menu is fine; the inbox page itself always counts afresh and stores
the fresh count for the next pages.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from inbox.entries import count_for


def cache_key(user) -> str:
    return f"inbox-count:{user.pk}"


def menu_count(user, *, fresh: bool = False):
    seconds = getattr(settings, "INBOX_COUNT_SECONDS", 0)
    if not seconds:
        return count_for(user)
    count = None if fresh else cache.get(cache_key(user))
    if count is None:
        count = count_for(user)
        cache.set(cache_key(user), count, seconds)
    return count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    # The inbox's pages and the home page (its panel lists the entries the count has) count
    # afresh: one query, its SQL already compiled.
    fresh = match is not None and (match.app_name == "inbox" or match.view_name == "home")
    return {"inbox_count": SimpleLazyObject(lambda: menu_count(user, fresh=fresh))}
