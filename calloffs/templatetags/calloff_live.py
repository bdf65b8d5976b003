"""The live part of the call-off page (status, the accepted provider's card, what happens next, the
timeline) rendered in Python (issue 19): ``{% calloff_live_section %}`` returns, byte for byte, what the
templates htmx/calloff_live.html and calloffs/includes/next_steps.html rendered (kept in
tests/calloffs/test_calloff_live_tag.py and rendered beside the tag for every state and party).

As in calloffs/templatetags/calloff_page.py: every ``{{ … }}`` through ``render_value`` (escaping,
localisation as the context sets them), ``|date`` in local time, ``{% translate "literal" %}`` as
``gettext`` (a translated literal is not escaped), ``{% blocktranslate %}`` as ``gettext`` of the same
message id with its values escaped.

Context: calloff, accepted_provider, provider_contacts, current_offer, open_offer, provider_view,
ministry, events (calloffs.views.detail._context).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_noop

from digisos.templatetags.kern_widgets import render_value

from .calloff_page import _date, choice_text, timeline_items, translated, with_tag_locale

register = template.Library()


def _tel(phone, context) -> str:
    """``{{ phone|cut:' ' }}``."""
    return render_value(str(phone).replace(" ", ""), context)


def _contact(contact, context) -> str:
    out = [f"\n          <li>{render_value(contact.name, context)}"]
    if contact.role:
        out.append(f" ({render_value(contact.role, context)})")
    if contact.phone:
        phone = render_value(contact.phone, context)
        out.append(f': <a class="kern-link" href="tel:{_tel(contact.phone, context)}">{phone}</a>')
    if contact.email:
        email = render_value(contact.email, context)
        out.append(f'{"," if contact.phone else ":"} <a class="kern-link" href="mailto:{email}">{email}</a>')
    out.append("</li>\n        ")
    return "".join(out)


def _provider_card(calloff, provider, contacts, context) -> str:
    values = {
        "provider": render_value(provider.legal_name, context),
        "at": _date(calloff.accepted_at, "SHORT_DATETIME_FORMAT", context),
    }
    if calloff.manual_assignment_reason:
        accepted = translated("Vom Ministerium beauftragt: <strong>%(provider)s</strong> (am %(at)s)") % values
    else:
        accepted = translated("Angenommen von <strong>%(provider)s</strong> am %(at)s") % values
    hotline = render_value(provider.hotline, context)
    out = [
        '\n    <div class="kern-card ds-provider-card" id="accepted-provider"><div class="kern-card__container">'
        '<div class="kern-card__body">\n'
        f'      <p class="kern-body">{accepted}</p>\n'
        '      <ul class="ds-contact-list">\n'
        f"        <li>{translated('Notfall-Hotline (24/7)')}: "
        f'<a class="kern-link" href="tel:{_tel(provider.hotline, context)}">{hotline}</a></li>'
        "\n        "
    ]
    if calloff.lead_name:
        lead = (
            f'\n          <li class="ds-provider-card__lead">{translated("Einsatzleitung:")} '
            f"<strong>{render_value(calloff.lead_name, context)}</strong>"
        )
        if calloff.lead_phone:
            lead += (
                f', <a class="kern-link" href="tel:{_tel(calloff.lead_phone, context)}">'
                f"{render_value(calloff.lead_phone, context)}</a>"
            )
        out.append(lead + "</li>\n        ")
    else:
        pending = translated("Einsatzleitung: wird vom Dienstleister noch gemeldet.")
        out.append(f"\n          <li>{pending}</li>\n        ")
    out.append("\n        ")
    out.extend(_contact(contact, context) for contact in contacts)
    out.append("\n      </ul>\n      ")
    if calloff.callback_due_at:
        due = (
            f'<p class="kern-body">{translated("Rückruf spätestens")}: '
            f"{_date(calloff.callback_due_at, 'SHORT_DATETIME_FORMAT', context)}"
        )
        if calloff.onsite_due_at:
            onsite = _date(calloff.onsite_due_at, "SHORT_DATETIME_FORMAT", context)
            due += f" · {translated('vor Ort spätestens')}: {onsite}"
        out.append(due + "</p>")
    out.append("\n    </div></div></div>\n  ")
    return "".join(out)


#: calloffs/includes/next_steps.html: what a provider is told per state (one paragraph each).
_PROVIDER_STEPS = {
    "accepted": gettext_noop(
        "Rufen Sie die Stelle unter der Rückrufnummer an (siehe „Angaben zum Abruf“) und melden Sie Ihre "
        "Einsatzleitung, den Beginn der Arbeit und Ihr Eintreffen vor Ort. Jede Meldung hält eine SLA-Frist an."
    ),
    "in_progress": gettext_noop(
        "Erfassen Sie Ihre Stunden je Rolle und Tag und melden Sie die Leistung als erbracht, wenn die "
        "Arbeit getan ist."
    ),
    "completed": gettext_noop(
        "Die Stelle prüft Ihren Leistungsnachweis und schließt den Abruf ab. Sie müssen nichts weiter tun."
    ),
    "closed": gettext_noop("Der Abruf ist abgeschlossen. Abgerechnet wird nach dem bestätigten Leistungsnachweis."),
    "cancelled": gettext_noop(
        "Die Stelle hat den Abruf storniert. Bereits erbrachte Stunden bleiben im Leistungsnachweis."
    ),
}
#: … and the body and the ministry (the states with a paragraph of plain text only).
_BODY_STEPS = {
    "submitted": gettext_noop(
        "Ihr Abruf ist eingegangen. Digi-SOS fragt jetzt den ersten passenden Dienstleister der Rangfolge an."
    ),
    "in_progress": gettext_noop(
        "Der Dienstleister arbeitet an Ihrem Vorfall. Seine Meldungen erscheinen im Verlauf; halten Sie "
        "Kontakt mit der Einsatzleitung."
    ),
    "completed": gettext_noop(
        "Der Dienstleister hat die Leistung als erbracht gemeldet. Prüfen Sie den Leistungsnachweis und "
        "schließen Sie den Abruf ab."
    ),
    "closed": gettext_noop(
        "Der Abruf ist abgeschlossen. Die Meldepflichten des Vorfalls laufen weiter; Sie finden sie beim "
        "Sicherheitsvorfall."
    ),
    "cancelled": gettext_noop("Der Abruf ist storniert. Brauchen Sie doch Hilfe, stellen Sie einen neuen Abruf."),
}


def _p(text: str) -> str:
    return f'\n        <p class="kern-body">{text}</p>\n      '


def _next_steps(calloff, provider_view, open_offer, ministry, context) -> str:
    state = calloff.state
    if provider_view:
        title = translated("Was Sie jetzt tun")
        if state == "offered":
            body = (
                _p(
                    translated(
                        "Nehmen Sie den Abruf bis %(at)s an oder lehnen Sie ihn ab. Ohne Antwort geht er an den "
                        "nächsten Dienstleister der Rangfolge."
                    )
                    % {"at": _date(open_offer.respond_by, "SHORT_DATETIME_FORMAT", context)}
                )
                if open_offer
                else ""
            )
        elif state in _PROVIDER_STEPS:
            body = _p(translated(_PROVIDER_STEPS[state]))
        else:
            body = ""
        body = f"\n      {body}\n    "
    else:
        title = translated("Was jetzt geschieht – was Sie tun")
        if state == "offered":
            phone = {"phone": render_value(calloff.callback_phone, context)}
            body = (
                '\n        <p class="kern-body">'
                + translated(
                    "Der angefragte Dienstleister muss in seiner Frist annehmen; sonst fragt Digi-SOS von selbst den "
                    "nächsten an. Sie müssen dafür nichts tun."
                )
                + "</p>"
                + _p(
                    translated(
                        "Halten Sie die Rückrufnummer %(phone)s frei und arbeiten Sie inzwischen die Checkliste für "
                        "die erste Stunde ab."
                    )
                    % phone
                )
            )
        elif state == "unassigned":
            body = _p(
                translated(
                    "Das Ministerium sucht einen Dienstleister und meldet sich unter %(phone)s. Arbeiten Sie "
                    "inzwischen die Checkliste für die erste Stunde ab."
                )
                % {"phone": render_value(calloff.callback_phone, context)}
            )
        elif state == "accepted":
            provider = calloff.provider
            values = {
                "provider": render_value(provider.short_name if provider is not None else "", context),
                "phone": render_value(calloff.callback_phone, context),
            }
            if calloff.callback_due_at:
                values["at"] = _date(calloff.callback_due_at, "TIME_FORMAT", context)
                back = translated("%(provider)s ruft Sie bis %(at)s Uhr unter %(phone)s zurück.") % values
            else:
                back = translated("%(provider)s ruft Sie unter %(phone)s zurück.") % values
            hint = translated("Hören Sie bis dahin nichts, rufen Sie selbst die Einsatzleitung oder die Hotline an.")
            body = _p(f"{back}\n          {hint}")
        elif state in _BODY_STEPS:
            body = _p(translated(_BODY_STEPS[state]))
        else:
            body = ""
        assign = ""
        if ministry and state == "unassigned":
            assign = (
                '\n        <p class="kern-body"><a class="kern-link" href="#assign">'
                f"{translated('Dienstleister manuell beauftragen')}</a></p>\n      "
            )
        body = f"\n      {body}\n      {assign}\n    "
    return (
        '\n\n<div class="kern-alert kern-alert--info ds-next-steps" id="next-steps">\n'
        f'  <div class="kern-alert__header"><h3 class="kern-title">{title}</h3></div>\n'
        f'  <div class="kern-alert__body">\n    {body}\n  </div>\n</div>\n'
    )


def live_section(context) -> str:
    """htmx/calloff_live.html (with calloffs/includes/next_steps.html)."""
    calloff = context.get("calloff")
    provider_view = context.get("provider_view")
    accepted_provider = context.get("accepted_provider")
    current_offer = context.get("current_offer")
    state = calloff.state
    out = [
        '\n<section class="ds-flow" aria-labelledby="status-heading">\n'
        f'  <h2 class="kern-heading-medium" id="status-heading">{translated("Status")}: '
        f'<span class="ds-state ds-state--{render_value(state, context)}">'
        f"{render_value(choice_text(calloff, 'state'), context)}</span></h2>\n  "
    ]
    if accepted_provider:
        out.append(_provider_card(calloff, accepted_provider, context.get("provider_contacts") or (), context))
    elif current_offer and not provider_view:
        text = translated("Angefragt bei %(provider)s – Antwort bis %(at)s Uhr.") % {
            "provider": render_value(current_offer.provider.short_name, context),
            "at": _date(current_offer.respond_by, "TIME_FORMAT", context),
        }
        out.append(f'\n    <p class="kern-body">{text}</p>\n  ')
    elif state == "unassigned" and not provider_view:
        text = translated(
            "Derzeit hat kein Dienstleister angenommen. Das Ministerium ist informiert und beauftragt manuell."
        )
        out.append(f'\n    <p class="kern-body" role="alert">{text}</p>\n  ')
    out.append("\n  ")
    out.append(_next_steps(calloff, provider_view, context.get("open_offer"), context.get("ministry"), context))
    out.append(
        f'\n  <h3 class="kern-heading-small">{translated("Verlauf")}</h3>\n  <ol class="ds-timeline">\n    '
        f"{timeline_items(context.get('events') or (), provider_view, context)}\n  </ol>\n</section>\n"
    )
    return "".join(out)


@register.simple_tag(takes_context=True)
@with_tag_locale
def calloff_live_section(context):
    """``{% calloff_live_section %}``: see the module's description."""
    return mark_safe(live_section(context))  # noqa: S308  # nosec B308 B703 - every value went through render_value
