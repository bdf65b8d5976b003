from django import template
from django.conf import settings
from django.template import Context
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from digisos.fast_reverse import reverse_uuids

from .constant import _generation
from .kern_widgets import render_value

register = template.Library()


@register.filter
def startswith(value, prefix) -> bool:
    return str(value).startswith(str(prefix))


#: The language switch's label and list (templates/base.html), the same for every
#: request in one language: rendered from this template with nothing of the request (only LANGUAGES)
#: once per language (issue 19), forgotten when a setting changes.
_LANGUAGE_CHOICE = """{% load i18n %}{% get_current_language as current_language %}{% get_language_info_list for LANGUAGES as languages %}<label class="kern-label ds-language__label" for="ds-language">{% translate "Sprache" %}{% if current_language != "en" %}<span class="ds-hide-narrow" lang="en"> (Language)</span>{% endif %}</label>
  <div class="kern-form-input__select-wrapper ds-language__select">
    <select class="kern-form-input__select" id="ds-language" name="language">
      {% for language in languages %}
        <option value="{{ language.code }}" lang="{{ language.code }}"{% if language.code == current_language %} selected{% endif %}>{{ language.name_local }}</option>
      {% endfor %}
    </select>
  </div>"""  # noqa: E501
_language_choices: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def language_choice(context):
    key = (_generation[0], get_language(), context.autoescape)
    html = _language_choices.get(key)
    if html is None:
        source = context.template.engine.from_string(_LANGUAGE_CHOICE)
        html = source.render(Context({"LANGUAGES": settings.LANGUAGES}, autoescape=context.autoescape))
        if len(_language_choices) > 64:
            _language_choices.clear()
        _language_choices[key] = html
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - rendered by the template engine, autoescaped as the page


@register.simple_tag
def url_of(name, *args):
    """``{% url_of 'name' calloff.public_id 'literal' %}``: what ``{% url %}`` gives (escaped alike), for
    arguments that are UUIDs and strings, from digisos.fast_reverse (the URL kept per URL conf)."""
    return reverse_uuids(name, *args)


def nav_items(entries, context) -> str:
    """The navigation's ``{% for label, url, current in portal_nav %}`` of templates/base.html, byte for
    byte (tests/test_portal_nav.py keeps the loop and renders both): each value escaped as ``{{ }}``."""
    out = []
    for label, url, current in entries:
        here = ' aria-current="page"' if current else ""
        out.append(
            f'\n              <li><a class="ds-nav__link" href="{render_value(url, context)}"{here}>'
            f"{render_value(label, context)}</a>\n</li>\n            "
        )
    return "".join(out)


@register.simple_tag(takes_context=True)
def portal_nav_items(context):
    """``{% portal_nav_items %}``: the entries of the main navigation (context: portal_nav)."""
    return mark_safe(nav_items(context.get("portal_nav") or (), context))  # noqa: S308  # nosec B308 B703 - values escaped
