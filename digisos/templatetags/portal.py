from django import template
from django.conf import settings
from django.template import Context
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from digisos.fast_reverse import reverse_uuids_in

from .constant import _STATE, _generation
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


#: url_of's (URL conf, script prefix) of one template render: constant's state if that was kept already
#: (its language is not url_of's to set: a {% language %} block may be around this tag).
_URL_STATE = "digisos.url_of.state"


@register.simple_tag(takes_context=True)
def url_of(context, name, *args):
    """``{% url_of 'name' calloff.public_id 'literal' %}``: what ``{% url %}`` gives (escaped alike), for
    arguments that are UUIDs and strings, from digisos.fast_reverse (the URL kept per URL conf), with the URL
    conf and script prefix asked once per render of a template as ``{% constant %}`` asks them (the same
    state, kept in the render_context)."""
    return reverse_uuids_in(*url_state(context), name, *args)


def url_state(context) -> tuple:
    """(URL conf, script prefix) of this render of a template, for digisos.fast_reverse.reverse_uuids_in."""
    urls = context.render_context.get(_URL_STATE)
    if urls is None:
        state = context.render_context.get(_STATE)
        urls = (state[2], state[3]) if state is not None else (get_urlconf(), get_script_prefix())
        context.render_context[_URL_STATE] = urls
    return urls


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


#: The page frame's ``{% for message in messages %}``: per message level tag, includes/alert.html's variant,
#: role and title ({% translate %} of the title's literal); any other level tag as "info".
_ALERTS = {
    "error": ("danger", "alert", gettext_noop("Fehler")),
    "warning": ("warning", "alert", gettext_noop("Achtung")),
    "success": ("success", "status", gettext_noop("Erledigt")),
}
_INFO = ("info", "status", gettext_noop("Hinweis"))


def message_alerts(messages, context) -> str:
    """The messages loop of templates/base.html, byte for byte, with includes/alert.html inline
    (tests/test_portal_messages.py keeps the loop and renders both): the message escaped as ``{{ text }}``."""
    out = []
    for message in messages:
        variant, role, title = _ALERTS.get(message.level_tag, _INFO)
        body = (
            '\n    <div class="kern-alert__body">\n'
            f'      <p class="kern-body">{render_value(message, context)}</p>\n'
            "    </div>\n  "
            if message
            else ""
        )
        out.append(
            "\n              \n                \n\n"
            f'<div class="kern-alert kern-alert--{variant}" role="{role}">\n'
            '  <div class="kern-alert__header">\n'
            f'    <span class="kern-icon kern-icon--{variant}" aria-hidden="true"></span>\n'
            f'    <span class="kern-title">{gettext(title)}</span>\n'
            f"  </div>\n  {body}\n</div>\n\n              \n            "
        )
    return "".join(out)


@register.simple_tag(takes_context=True)
def portal_messages(context):
    """``{% portal_messages %}``: the messages of the request (context: messages) as KERN alerts."""
    return mark_safe(message_alerts(context.get("messages") or (), context))  # noqa: S308  # nosec B308 B703 - values escaped
