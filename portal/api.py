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
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import APIException, NotFound
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
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


class LinkFieldScheme(OpenApiSerializerFieldExtension):
    """A link as the schema states it: given out as a URI or null; taken as typed (an IRI
    with a Cyrillic domain too), null or an empty string for none."""

    target_class = "portal.api.LinkField"

    def map_serializer_field(self, auto_schema, direction):
        schema = build_basic_type(OpenApiTypes.STR)
        if direction == "response":
            schema["format"] = "uri"
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        return schema


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


# The schema: conventions every operation follows without saying so.


# A refusal (the component `Error`). A comment, not a docstring: that would become the
# component's description in the Russian documentation.
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Причина отказа по-русски.")


VALIDATION_ERROR = {
    "type": "object",
    "description": "Запрос не принят, ничего не изменено. Ошибки по полям: имя поля — список "
    "сообщений (у вложенных полей — такой же объект); `non_field_errors` — ошибки запроса "
    "целиком; `detail` — тело запроса не прочитано.",
    "properties": {
        "detail": {"type": "string", "description": "Тело запроса не прочитано."},
        "non_field_errors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Ошибки запроса целиком.",
        },
    },
    "additionalProperties": {},
}

# What each refusal means when an operation says nothing more specific.
ERROR_DESCRIPTIONS = {
    "400": "Запрос не принят: ошибки по полям или в параметрах; ничего не изменено.",
    "401": "Нет входа: нужен личный токен (`Authorization: Token …`) или сессия портала.",
    "403": "Нет права на это действие; причина — в поле `detail`.",
    "404": "Объект вне области пользователя или не существует (у списка — нет такой страницы).",
    "409": "Запись изменилась или шаг невозможен в текущем состоянии; причина — в поле `detail`.",
}


class PortalAutoSchema(AutoSchema):
    """The project's OpenAPI conventions, applied to every operation (DEFAULT_SCHEMA_CLASS):

    - the tag is the first segment of the path (`roadmaps`, `items`, `rounds`), ASCII, and
      must be listed with its Russian name in SPECTACULAR_SETTINGS["TAGS"];
    - the operationId is drf-spectacular's: the path's segments and the action
      (`roadmaps_list`, `roadmaps_approve_create`), ASCII and stable — never set it by hand;
    - a parameter's schema has no `title` (a generator names classes after it); an integer
      id in the path has `minimum: 0`;
    - every 4xx answer has a body in the schema: 400 — field errors (`ValidationError`),
      others — `Error` with the Russian `detail`. An operation declares what it may answer
      (403, 409 with its own description); 401 always, 400 where a body or a query parameter is
      read, 403 for writes and for views with a permission beyond login, 404 where the path
      names an object or the list has pages are added here.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                # A filter's label («Статус») would name the parameter's enum class in a
                # generated client; the Russian text is in the description.
                schema.pop("title", None)
                # An id in the path is digits (the `int` converter): «-1» is no address.
                if parameter["in"] == "path" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 0)
            self._add_errors(operation)
        return operation

    def _add_errors(self, operation):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        expected = {"401"}
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            expected.add("400")
        if self.method not in SAFE_METHODS or self._guarded():
            expected.add("403")
        if any(p["in"] == "path" for p in parameters) or any(
            p["name"] == "page" for p in parameters
        ):
            expected.add("404")
        for code in expected - set(responses):
            responses[code] = {"description": ERROR_DESCRIPTIONS[code]}
        for code, response in responses.items():
            if code.startswith("4") and not response.get("content"):
                response["content"] = {"application/json": {"schema": self._error_schema(code)}}
        operation["responses"] = dict(sorted(responses.items()))

    def _insert_field_validators(self, field, schema):
        # A link's schema is LinkFieldScheme's: the URL validator would make an IRI-accepting
        # request field `format: uri` and add an empty string to a response that gives null.
        if not isinstance(field, LinkField):
            super()._insert_field_validators(field, schema)

    def _guarded(self):
        """Whether a permission beyond login may refuse a read."""
        return any(
            not issubclass(permission, IsAuthenticated)
            for permission in getattr(self.view, "permission_classes", [])
            if isinstance(permission, type)
        )

    def _error_schema(self, code):
        if code == "400":
            component = ResolvedComponent(
                name="ValidationError",
                type=ResolvedComponent.SCHEMA,
                object="ValidationError",
                schema=VALIDATION_ERROR,
            )
            self.registry.register_on_missing(component)
            return component.ref
        return self.resolve_serializer(ErrorSerializer, "response").ref


class OneObjectSchema(PortalAutoSchema):
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
