"""The menu's «Ожидает действий (3)» on every page: counted only when a template asks."""

from django.utils.functional import SimpleLazyObject

from inbox.entries import count_for


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_count": SimpleLazyObject(lambda: count_for(user))}
