"""One page of a long list, the same on every page that lists records."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(request: HttpRequest, queryset: QuerySet) -> Page:
    """The page ``?page=`` asks for; a page number out of range shows the last page."""
    return Paginator(queryset, settings.WANGGE_PAGE_SIZE).get_page(request.GET.get("page"))
