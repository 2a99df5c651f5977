"""Pagination of every API list. Kept apart from portal/api.py: DRF reads it from the settings
while rest_framework.generics is being imported, so it must not import the viewsets itself."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination, remove_query_param, replace_query_param
from rest_framework.response import Response

from portal.validators import INT64_MAX, parse_id

TRUE = {"1", "true", "yes", "on"}


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "Номер страницы, с 1."
    page_size_query_description = "Записей на странице: по умолчанию 50, не более 200."
    invalid_page_message = "Нет такой страницы."

    def get_page_number(self, request, paginator):
        """ASCII digits only: Django's paginator would read «٣» as page 3."""
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return paginator.num_pages
        if parse_id(raw) is None:
            raise NotFound(self.invalid_page_message)
        return raw


class UncountedPagination(Pagination):
    """Pages of a list too long to count on every request: the items of every plan in the country
    are hundreds of thousands of rows, and their COUNT(*) costs more than the page itself
    (bench/README.md). The page reads one row more than it shows to know whether a next page
    exists; the total comes only when asked for (`count=true`)."""

    template = "rest_framework/pagination/previous_and_next.html"
    count_query_param = "count"
    count_query_description = (
        "true — посчитать и вернуть общее число записей (`count`); без него число не считается, "
        "и о следующей странице говорит ссылка `next`."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        # The row after the page's last must still be addressable by a 64-bit OFFSET + LIMIT.
        number = parse_id(raw, maximum=INT64_MAX // (self.page_size + 1))
        if number is None:
            raise NotFound(self.invalid_page_message)
        self.number = number
        offset = (self.number - 1) * self.page_size
        rows = list(queryset[offset : offset + self.page_size + 1])
        if not rows and self.number > 1:
            raise NotFound(self.invalid_page_message)
        self.has_next = len(rows) > self.page_size
        self.display_page_controls = self.has_next or self.number > 1
        wants_count = request.query_params.get(self.count_query_param, "").lower() in TRUE
        self.count = queryset.count() if wants_count else None
        return rows[: self.page_size]

    def get_paginated_response(self, data):
        body = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        if self.count is not None:
            body = {"count": self.count, **body}
        return Response({**body, "results": data})

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_html_context(self):
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["description"] = "Только с `count=true`."
        return response

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": self.count_query_description,
                "schema": {"type": "boolean"},
            },
        ]
