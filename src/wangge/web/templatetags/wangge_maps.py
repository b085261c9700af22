"""``{% location_of place as location %}``: what a small location map draws (the include
web/includes/location_map.html), read through the signed-in user's scope."""

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder

from wangge.web.selectors import location_map

register = template.Library()


@register.simple_tag(takes_context=True)
def location_of(context: template.Context, place: Any) -> str:
    """The location map's data as JSON for a data attribute (the template escapes it there),
    or an empty string when ``place`` has no point."""
    found = location_map(context["request"].user, place)
    return json.dumps(found, cls=DjangoJSONEncoder) if found else ""
