"""Filters of the cockpit page."""

from django import template

from wangge.events.templatetags.events import percent

register = template.Library()
register.filter("percent", percent)
