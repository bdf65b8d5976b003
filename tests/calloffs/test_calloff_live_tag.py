"""The live part of the call-off page in Python (calloffs/templatetags/calloff_live.py) renders what the
templates it replaced (htmx/calloff_live.html with calloffs/includes/next_steps.html, kept here as they
were) rendered, byte for byte: every state, seen by the body, the ministry and a provider, with and
without an accepted provider, its lead and contacts, an open offer, the deadlines; German and English,
with and without autoescape. And what a user typed or a provider entered is escaped on the page."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import translation

from calloffs.models import CallOff, CallOffState, Offer, Provider, ProviderContact
from tests.calloffs.test_calloff_page_tags import events

OLD_LIVE = """{% load i18n calloff_page %}
<section class="ds-flow" aria-labelledby="status-heading">
  <h2 class="kern-heading-medium" id="status-heading">{% translate "Status" %}: <span class="ds-state ds-state--{{ calloff.state }}">{{ calloff|choice_label:"state" }}</span></h2>
  {% if accepted_provider %}
    <div class="kern-card ds-provider-card" id="accepted-provider"><div class="kern-card__container"><div class="kern-card__body">
      <p class="kern-body">{% if calloff.manual_assignment_reason %}{% blocktranslate with provider=accepted_provider.legal_name at=calloff.accepted_at|date:"SHORT_DATETIME_FORMAT" %}Vom Ministerium beauftragt: <strong>{{ provider }}</strong> (am {{ at }}){% endblocktranslate %}{% else %}{% blocktranslate with provider=accepted_provider.legal_name at=calloff.accepted_at|date:"SHORT_DATETIME_FORMAT" %}Angenommen von <strong>{{ provider }}</strong> am {{ at }}{% endblocktranslate %}{% endif %}</p>
      <ul class="ds-contact-list">
        <li>{% translate "Notfall-Hotline (24/7)" %}: <a class="kern-link" href="tel:{{ accepted_provider.hotline|cut:' ' }}">{{ accepted_provider.hotline }}</a></li>
        {% if calloff.lead_name %}
          <li class="ds-provider-card__lead">{% translate "Einsatzleitung:" %} <strong>{{ calloff.lead_name }}</strong>{% if calloff.lead_phone %}, <a class="kern-link" href="tel:{{ calloff.lead_phone|cut:' ' }}">{{ calloff.lead_phone }}</a>{% endif %}</li>
        {% else %}
          <li>{% translate "Einsatzleitung: wird vom Dienstleister noch gemeldet." %}</li>
        {% endif %}
        {% for contact in provider_contacts %}
          <li>{{ contact.name }}{% if contact.role %} ({{ contact.role }}){% endif %}{% if contact.phone %}: <a class="kern-link" href="tel:{{ contact.phone|cut:' ' }}">{{ contact.phone }}</a>{% endif %}{% if contact.email %}{% if contact.phone %},{% else %}:{% endif %} <a class="kern-link" href="mailto:{{ contact.email }}">{{ contact.email }}</a>{% endif %}</li>
        {% endfor %}
      </ul>
      {% if calloff.callback_due_at %}<p class="kern-body">{% translate "Rückruf spätestens" %}: {{ calloff.callback_due_at|date:"SHORT_DATETIME_FORMAT" }}{% if calloff.onsite_due_at %} · {% translate "vor Ort spätestens" %}: {{ calloff.onsite_due_at|date:"SHORT_DATETIME_FORMAT" }}{% endif %}</p>{% endif %}
    </div></div></div>
  {% elif current_offer and not provider_view %}
    <p class="kern-body">{% blocktranslate with provider=current_offer.provider.short_name at=current_offer.respond_by|date:"TIME_FORMAT" %}Angefragt bei {{ provider }} – Antwort bis {{ at }} Uhr.{% endblocktranslate %}</p>
  {% elif calloff.state == "unassigned" and not provider_view %}
    <p class="kern-body" role="alert">{% translate "Derzeit hat kein Dienstleister angenommen. Das Ministerium ist informiert und beauftragt manuell." %}</p>
  {% endif %}
  {% include "calloffs/includes/next_steps.html" %}
  <h3 class="kern-heading-small">{% translate "Verlauf" %}</h3>
  <ol class="ds-timeline">
    {% calloff_timeline_items %}
  </ol>
</section>
"""  # noqa: E501

OLD_NEXT_STEPS = """{% load i18n %}
{% comment %}What happens now and what to do, per state and per party (part of the live status).{% endcomment %}
<div class="kern-alert kern-alert--info ds-next-steps" id="next-steps">
  <div class="kern-alert__header"><h3 class="kern-title">{% if provider_view %}{% translate "Was Sie jetzt tun" %}{% else %}{% translate "Was jetzt geschieht – was Sie tun" %}{% endif %}</h3></div>
  <div class="kern-alert__body">
    {% if provider_view %}
      {% if calloff.state == "offered" and open_offer %}
        <p class="kern-body">{% blocktranslate with at=open_offer.respond_by|date:"SHORT_DATETIME_FORMAT" %}Nehmen Sie den Abruf bis {{ at }} an oder lehnen Sie ihn ab. Ohne Antwort geht er an den nächsten Dienstleister der Rangfolge.{% endblocktranslate %}</p>
      {% elif calloff.state == "accepted" %}
        <p class="kern-body">{% translate "Rufen Sie die Stelle unter der Rückrufnummer an (siehe „Angaben zum Abruf“) und melden Sie Ihre Einsatzleitung, den Beginn der Arbeit und Ihr Eintreffen vor Ort. Jede Meldung hält eine SLA-Frist an." %}</p>
      {% elif calloff.state == "in_progress" %}
        <p class="kern-body">{% translate "Erfassen Sie Ihre Stunden je Rolle und Tag und melden Sie die Leistung als erbracht, wenn die Arbeit getan ist." %}</p>
      {% elif calloff.state == "completed" %}
        <p class="kern-body">{% translate "Die Stelle prüft Ihren Leistungsnachweis und schließt den Abruf ab. Sie müssen nichts weiter tun." %}</p>
      {% elif calloff.state == "closed" %}
        <p class="kern-body">{% translate "Der Abruf ist abgeschlossen. Abgerechnet wird nach dem bestätigten Leistungsnachweis." %}</p>
      {% elif calloff.state == "cancelled" %}
        <p class="kern-body">{% translate "Die Stelle hat den Abruf storniert. Bereits erbrachte Stunden bleiben im Leistungsnachweis." %}</p>
      {% endif %}
    {% else %}
      {% if calloff.state == "submitted" %}
        <p class="kern-body">{% translate "Ihr Abruf ist eingegangen. Digi-SOS fragt jetzt den ersten passenden Dienstleister der Rangfolge an." %}</p>
      {% elif calloff.state == "offered" %}
        <p class="kern-body">{% translate "Der angefragte Dienstleister muss in seiner Frist annehmen; sonst fragt Digi-SOS von selbst den nächsten an. Sie müssen dafür nichts tun." %}</p>
        <p class="kern-body">{% blocktranslate with phone=calloff.callback_phone %}Halten Sie die Rückrufnummer {{ phone }} frei und arbeiten Sie inzwischen die Checkliste für die erste Stunde ab.{% endblocktranslate %}</p>
      {% elif calloff.state == "unassigned" %}
        <p class="kern-body">{% blocktranslate with phone=calloff.callback_phone %}Das Ministerium sucht einen Dienstleister und meldet sich unter {{ phone }}. Arbeiten Sie inzwischen die Checkliste für die erste Stunde ab.{% endblocktranslate %}</p>
      {% elif calloff.state == "accepted" %}
        <p class="kern-body">{% if calloff.callback_due_at %}{% blocktranslate with provider=calloff.provider.short_name at=calloff.callback_due_at|date:"TIME_FORMAT" phone=calloff.callback_phone %}{{ provider }} ruft Sie bis {{ at }} Uhr unter {{ phone }} zurück.{% endblocktranslate %}{% else %}{% blocktranslate with provider=calloff.provider.short_name phone=calloff.callback_phone %}{{ provider }} ruft Sie unter {{ phone }} zurück.{% endblocktranslate %}{% endif %}
          {% translate "Hören Sie bis dahin nichts, rufen Sie selbst die Einsatzleitung oder die Hotline an." %}</p>
      {% elif calloff.state == "in_progress" %}
        <p class="kern-body">{% translate "Der Dienstleister arbeitet an Ihrem Vorfall. Seine Meldungen erscheinen im Verlauf; halten Sie Kontakt mit der Einsatzleitung." %}</p>
      {% elif calloff.state == "completed" %}
        <p class="kern-body">{% translate "Der Dienstleister hat die Leistung als erbracht gemeldet. Prüfen Sie den Leistungsnachweis und schließen Sie den Abruf ab." %}</p>
      {% elif calloff.state == "closed" %}
        <p class="kern-body">{% translate "Der Abruf ist abgeschlossen. Die Meldepflichten des Vorfalls laufen weiter; Sie finden sie beim Sicherheitsvorfall." %}</p>
      {% elif calloff.state == "cancelled" %}
        <p class="kern-body">{% translate "Der Abruf ist storniert. Brauchen Sie doch Hilfe, stellen Sie einen neuen Abruf." %}</p>
      {% endif %}
      {% if ministry and calloff.state == "unassigned" %}
        <p class="kern-body"><a class="kern-link" href="#assign">{% translate "Dienstleister manuell beauftragen" %}</a></p>
      {% endif %}
    {% endif %}
  </div>
</div>
"""  # noqa: E501

AT = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)  # the next day in Berlin
HOSTILE = "<script>alert(1)</script> & Co"


def provider():
    return Provider(short_name=f"P1 {HOSTILE}", legal_name=f"P1 GmbH {HOSTILE}", hotline="+49 211 <555> 0")


def calloff(state, *, full: bool):
    calloff = CallOff(state=state, callback_phone=f"+49 171 {HOSTILE}")
    if full:
        calloff.provider = provider()
        calloff.accepted_at = AT
        calloff.callback_due_at = AT
        calloff.onsite_due_at = AT
        calloff.lead_name = f"Petra {HOSTILE}"
        calloff.lead_phone = "+49 211 555 0199"
        calloff.manual_assignment_reason = "Eilt"
    return calloff


def contacts():
    return [
        ProviderContact(name=f"Max {HOSTILE}", role="Forensik <Lead>", phone="+49 1 2", email="m@example.org"),
        ProviderContact(name="Eva", role="", phone="", email="e&v@example.org"),
        ProviderContact(name="Kai", role="", phone="+49 3", email=""),
    ]


def contexts():
    """Every state × party × (nothing yet | offered | accepted with all details | accepted, the least)."""
    for state, provider_view, ministry, variant in itertools.product(
        CallOffState.values, (False, True), (False, True), ("none", "offer", "full", "bare")
    ):
        if provider_view and ministry:
            continue
        item = calloff(state, full=variant == "full")
        offer = Offer(respond_by=AT)
        offer.provider = provider()
        accepted = None
        if variant == "full":
            accepted = item.provider
        elif variant == "bare":
            item.provider = accepted = provider()
        yield {
            "calloff": item,
            "provider_view": provider_view,
            "ministry": ministry,
            "accepted_provider": accepted,
            "provider_contacts": contacts() if variant == "full" else [],
            "current_offer": offer if variant == "offer" else None,
            "open_offer": offer if variant == "offer" else None,
            "events": events(),
        }


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_live_part_renders_what_the_templates_rendered(language, autoescape):
    old = Template(OLD_LIVE.replace('{% include "calloffs/includes/next_steps.html" %}', "{% include next_steps %}"))
    steps = Template(OLD_NEXT_STEPS)
    new = get_template("htmx/calloff_live.html").template
    seen = 0
    with translation.override(language):
        for values in contexts():
            before = old.render(Context({**values, "next_steps": steps}, autoescape=autoescape))
            after = new.render(Context(values, autoescape=autoescape))
            assert after == before, values
            seen += 1
    assert seen == 8 * 3 * 4


@pytest.mark.parametrize("language", ["de", "en"])
def test_hostile_text_is_escaped_in_the_live_part(language):
    with translation.override(language):
        for values in contexts():
            html = get_template("htmx/calloff_live.html").template.render(Context(values))
            assert "<script>" not in html
        values = next(v for v in contexts() if v["accepted_provider"] and v["provider_contacts"])
        html = get_template("htmx/calloff_live.html").template.render(Context(values))
    assert "Petra &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html  # the lead
    assert "P1 GmbH &lt;script&gt;" in html  # the provider, inside a translated sentence
    assert "Max &lt;script&gt;" in html and "(Forensik &lt;Lead&gt;)" in html  # a contact
    assert 'href="tel:+49211&lt;555&gt;0"' in html
