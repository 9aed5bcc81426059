"""Lists come in pages of 50: ``?page=2``; ``next`` and ``previous`` are their links."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
