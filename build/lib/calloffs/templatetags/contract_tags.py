"""Small display helpers of the contract administration pages.

Use: {% load contract_tags %} {{ term.onsite_minutes|minutes }} → "4 Stunden"
"""

from __future__ import annotations

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def minutes(value) -> str:
    """A duration in minutes in the largest whole unit: 1440 → '1 Tag', 240 → '4 Stunden', 90 → '90 Minuten'."""
    try:
        total = int(value)
    except (TypeError, ValueError):
        return "–"
    if total >= 1440 and total % 1440 == 0:
        days = total // 1440
        return ngettext("%(count)d Tag", "%(count)d Tage", days) % {"count": days}
    if total >= 60 and total % 60 == 0:
        hours = total // 60
        return ngettext("%(count)d Stunde", "%(count)d Stunden", hours) % {"count": hours}
    return ngettext("%(count)d Minute", "%(count)d Minuten", total) % {"count": total}
