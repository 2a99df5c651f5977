from orgs.scope import get_scope


def scope(request):
    """Navigation needs to know what the user may reach; the scope is computed once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_scope = get_scope(user)
    roles = user_scope.roles
    return {
        "scope": user_scope,
        "nav_is_operator": user_scope.is_superuser
        or bool(roles & {"regional_operator", "municipal_coordinator"})
        or bool(user_scope.regions or user_scope.municipalities),
    }
