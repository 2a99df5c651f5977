"""Pagination of every API list. Kept apart from portal/api.py: DRF reads it from the settings
while rest_framework.generics is being imported, so it must not import the viewsets itself."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "Номер страницы, с 1."
    page_size_query_description = "Записей на странице: по умолчанию 50, не более 200."
