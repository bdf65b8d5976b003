"""Pagination of the provider API's lists."""

from __future__ import annotations

from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination


class CountSparingPaginator(DjangoPaginator):
    """Django's paginator, but the first page is read before the rows are counted: a first page that
    is not full is the only one, so the total is its number of rows, without a COUNT(*) (a
    provider's poll usually finds a few rows or none). A full first page still asks COUNT(*) (the
    answer's ``count`` and ``next`` need it); every other page number goes through Django's own
    page() (its checks before any row is read, its errors)."""

    def page(self, number):
        if str(number) != "1" or self.orphans or not self.allow_empty_first_page or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
        return self._get_page(rows, self.validate_number(1), self)


class Pagination(PageNumberPagination):
    django_paginator_class = CountSparingPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
