"""The shared base of every API viewset: authentication, pagination, filters, scoping.

Each app keeps its serializers and viewsets in its own `api.py` and lists them in `ROUTES`;
`portal/api_urls.py` registers those lists on one router under /api/v1/. A viewset derives from
`ScopedViewSet` (or `ScopedReadOnlyViewSet`) and answers `scoped_queryset(user)` from the
model's `for_user`: an object outside the user's scope is then a 404 by construction.
"""

import contextlib
import re
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.utils.encoding import punycode
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import APIException, NotFound
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.viewsets import GenericViewSet

from portal.pagination import Pagination
from portal.validators import validate_single_line


class Conflict(APIException):
    status_code = 409
    default_detail = "Запись изменилась с тех пор, как вы её прочитали."
    default_code = "conflict"


# Permissions: small classes combined with & and | in each viewset.


class IsSuperuser(BasePermission):
    message = "Этот раздел API доступен только администраторам портала."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


def visible(model):
    """Choices of a django-filter model filter: only what the user sees, so a filter never
    confirms that an object outside the scope exists."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user)

    return queryset


@extend_schema_field(OpenApiTypes.INT)
class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related object written by its id and accepted only among those the user sees."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.for_user(self.context["request"].user)


def as_uri(link: str) -> str:
    """A web address as a URI (RFC 3986): the domain in punycode, every other character a URI
    may not hold percent-encoded («https://школа.рф/новости» → «https://xn--80atdl2c.xn--p1ai/
    %D0%BD…»). Django's URLField accepts IRIs; an API client gets an address any HTTP library
    opens as it is."""
    parts = urlsplit(link)
    host = parts.hostname or ""
    # A label too long for IDNA is left as it was typed.
    with contextlib.suppress(UnicodeError):
        host = punycode(host)
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        userinfo = _quote(parts.username, "")
        if parts.password is not None:
            userinfo += ":" + _quote(parts.password, "")
        netloc = f"{userinfo}@{netloc}"
    path = _quote(parts.path, "/:@")
    query, fragment = _quote(parts.query, "/?:@"), _quote(parts.fragment, "/?:@")
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def _quote(text: str, safe: str) -> str:
    # A «%» that starts no %XX escape is a literal percent sign.
    text = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", text)
    return quote(text, safe=safe + "%!$&'()*+,;=-._~")


class LinkField(serializers.URLField):
    """A web address: taken as the pages take it (Django's URLField: Cyrillic domains and paths
    too), given out as a URI (`as_uri`), as `format: uri` in the schema promises. No address is
    null, in and out (stored as an empty string)."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_single_line]
        super().__init__(allow_null=True, allow_blank=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        return super().run_validation(data) or ""

    def to_representation(self, value):
        return as_uri(value) if value else None


class Search(SearchFilter):
    search_description = "Поиск по словам, без учёта регистра; поля поиска — в описании списка."


class Ordering(OrderingFilter):
    ordering_description = (
        "Сортировка: имя поля, «-» перед ним — по убыванию, через запятую — несколько."
    )

    def get_ordering(self, request, queryset, view):
        """The client's order, then the id: rows equal in the chosen fields keep one order
        from request to request, so pages neither repeat nor skip them."""
        ordering = super().get_ordering(request, queryset, view)
        chosen = request.query_params.get(self.ordering_param) and ordering
        if chosen and not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if fields and fields != "__all__":
            for parameter in parameters:
                parameter["description"] += " Поля: " + ", ".join(fields) + "."
        return parameters


class TokenScheme(OpenApiAuthenticationExtension):
    """The token scheme described in Russian in the schema."""

    target_class = "rest_framework.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Личный токен со страницы «API-токен» (/api/token/), с префиксом "
            "«Token»: `Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b`.",
        }


def form_errors(form) -> dict:
    """A Django form's errors under the API's names (`non_field_errors` for the whole form):
    an endpoint that validates with a page's form answers in the page's words."""
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: list(errors)
        for name, errors in form.errors.items()
    }


class OneObjectSchema(AutoSchema):
    """The schema of a `list` route that answers one object (a report), not a page of them."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class AnyAccept(BaseContentNegotiation):
    """For file downloads: the file goes out whatever the client accepts; an error still
    comes as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


class ScopedViewSetMixin:
    # The token comes first so that an anonymous request gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, Search, Ordering]
    lookup_value_converter = "int"
    # What a 404 says when the object does not exist or is outside the scope (get_object_or_404
    # speaks English: «No Roadmap matches the given query.»); a viewset may say it better.
    not_found_message = "Не найдено или недоступно."

    def handle_exception(self, exc):
        if isinstance(exc, Http404) and not _CYRILLIC.search(str(exc)):
            exc = NotFound(self.not_found_message)
        return super().handle_exception(exc)

    def scoped_queryset(self, user):
        """What `user` may see, from the model's `for_user`; each viewset says it."""
        raise NotImplementedError

    def get_queryset(self):
        return self.scoped_queryset(self.request.user)


class ScopedReadOnlyViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    pass


class ScopedViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    pass
