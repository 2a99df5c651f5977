"""The API's pages for people: the personal token and the documentation (Swagger UI, ReDoc).

The documentation is served from drf-spectacular-sidecar's copies under /static/, so it works
without the internet. The site's CSP allows scripts from 'self' only: Swagger UI is the split
view, whose init script comes from its own URL; ReDoc's page is ours, without web fonts and
without an inline script.
Both UIs style their widgets inline (ReDoc cannot start without injecting <style> elements), so
these two pages alone also allow inline styles; inline scripts stay forbidden everywhere.
"""

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found, server_error
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.authtoken.models import Token

# Both UIs style their widgets inline; ReDoc also runs its search in a worker made from a blob.
SWAGGER_CSP = {"style-src": ["'unsafe-inline'"]}
REDOC_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}


class SwaggerView(SpectacularSwaggerSplitView):
    url_name = "api:schema"


class RedocView(SpectacularRedocView):
    url_name = "api:schema"
    template_name = "api/redoc.html"


swagger = login_required(csp_update(SWAGGER_CSP)(SwaggerView.as_view()))
redoc = login_required(csp_update(REDOC_CSP)(RedocView.as_view()))


@login_required
def token(request):
    return render(
        request, "api/token.html", {"token": Token.objects.filter(user=request.user).first()}
    )


@never_cache
@login_required
@require_POST
def token_create(request):
    """A new token replaces the old one and is shown this once."""
    Token.objects.filter(user=request.user).delete()
    new_token = Token.objects.create(user=request.user)
    return render(request, "api/token.html", {"token": new_token, "new_key": new_token.key})


@login_required
@require_POST
def token_revoke(request):
    deleted, _ = Token.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, "API-токен отозван: запросы с ним больше не принимаются.")
    return redirect("api:token")


# The site's error pages: under /api/v1/ an error is JSON with `detail`, as the schema says of
# every refusal, even where no view answered (an address the router does not know, such as
# /api/v1/roadmaps/-1/) or the server failed.

API_PREFIX = "/api/v1/"


def not_found(request, exception):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Нет такого адреса в API."}, status=404)
    return page_not_found(request, exception)


def failed(request):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Ошибка сервера; попробуйте позже."}, status=500)
    return server_error(request)
