"""``{% if user|may:"import_files" %}``: the pages ask foundation.permissions, as views do."""

from django import template

from wangge.foundation.permissions import Action, can
from wangge.foundation.permissions import manages_accounts as manages

register = template.Library()


@register.filter
def may(user: object, action: str) -> bool:
    return can(user, Action(action))


@register.filter
def manages_accounts(user: object) -> bool:
    """``{% if user|manages_accounts %}``: the link to the account pages (/accounts/)."""
    return manages(user)
