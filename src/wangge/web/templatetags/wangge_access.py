"""``{% if user|may:"import_files" %}``: the pages ask foundation.permissions, as views do."""

from django import template

from wangge.foundation.permissions import Action, can

register = template.Library()


@register.filter
def may(user: object, action: str) -> bool:
    return can(user, Action(action))
