"""The call-off page's loops in Python (calloffs/templatetags/calloff_page.py) render what the template
loops they replaced rendered, byte for byte: the loops are kept here as they were in the templates and
rendered beside the tags with the same values — each kind of timeline entry seen by the body and by a
provider (a skipped step hidden from it), values that need escaping, ticked and open checklist steps
with and without the right to tick, German and English, with and without autoescape."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from calloffs.models import CallOffEvent, EventKind, Provider
from incidents.models import FirstHourStep
from incidents.selectors import ChecklistRow

TIMELINE = """{% for event in events %}
      {% if not provider_view or event.kind != "skipped" %}
        <li class="ds-timeline__item"><p class="kern-body ds-muted"><time datetime="{{ event.at|date:'c' }}">{{ event.at|date:"SHORT_DATETIME_FORMAT" }}</time>{% if event.provider and not provider_view %} · {{ event.provider.short_name }}{% endif %}</p>
          <p class="kern-body">{{ event.get_kind_display }}{% if event.reason and not provider_view %}: {{ event.reason }}{% endif %}</p></li>
      {% endif %}
    {% endfor %}"""  # noqa: E501

SERVICES = """{% load money %}{% for line in services %}
            <tr class="kern-table__row">
              <td class="kern-table__cell">{{ line.service_module.name }}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{{ line.estimated_quantity|quantity:line.service_module.unit }}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{{ line.unit_price|eur }}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{{ line.value|eur }}</td>
            </tr>
          {% endfor %}"""  # noqa: E501

CHECKLIST = """{% load i18n %}{% for row in checklist %}
      <li class="ds-checklist__item{% if row.done %} ds-checklist__item--done{% endif %}" id="step-{{ row.step }}">
        <p class="kern-body"><span class="ds-checklist__mark" aria-hidden="true">{% if row.done %}✓{% else %}○{% endif %}</span>
          <span id="step-{{ row.step }}-text">{{ row.label }}</span></p>
        <p class="kern-body ds-muted" id="step-{{ row.step }}-state">{% if row.done %}{% blocktranslate with at=row.changed_at|date:"SHORT_DATETIME_FORMAT" by=row.changed_by %}Erledigt – {{ at }}, {{ by }}{% endblocktranslate %}{% else %}{% translate "Offen" %}{% endif %}</p>
        {% if actions.checklist %}
          <form method="post" action="{{ checklist_url }}">
            {% csrf_token %}
            <input type="hidden" name="step" value="{{ row.step }}">
            <input type="hidden" name="done" value="{% if row.done %}0{% else %}1{% endif %}">
            <button class="kern-btn kern-btn--{% if row.done %}tertiary{% else %}secondary{% endif %}" type="submit" aria-describedby="step-{{ row.step }}-text step-{{ row.step }}-state">
              <span class="kern-label">{% if row.done %}{% translate "Haken entfernen" %}{% else %}{% translate "Als erledigt abhaken" %}{% endif %}</span>
            </button>
          </form>
        {% endif %}
      </li>
    {% endfor %}"""  # noqa: E501

AT = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)  # the next day in Berlin


def events():
    provider = Provider(short_name="P<1> & Co")
    out = []
    for n, kind in enumerate(EventKind.values):
        event = CallOffEvent(kind=kind, at=AT, reason=("Grund <b>& mehr</b>" if n % 2 else ""))
        event.provider = provider if n % 3 else None  # the FK's cache, as select_related leaves it
        out.append(event)
    return out


def services():
    module = SimpleNamespace(name="Remote <Forensik>", unit="hour")
    return [
        SimpleNamespace(
            service_module=module, estimated_quantity=q, unit_price=Decimal("185.50"), value=Decimal("185.50") * q
        )
        for q in (Decimal("1"), Decimal("40.5"))
    ]


def checklist():
    return [
        ChecklistRow(step="log", label="Protokoll <führen>", done=True, changed_at=AT, changed_by="A & B <a@b.c>"),
        ChecklistRow(step="isolate", label="Isolieren", done=False, changed_at=None, changed_by=""),
    ]


def both(old: str, new: str, autoescape: bool, **values) -> tuple[str, str]:
    values["csrf_token"] = "TOKEN<&>"
    return (
        Template(old).render(Context(dict(values), autoescape=autoescape)),
        Template("{% load calloff_page %}" + new).render(Context(dict(values), autoescape=autoescape)),
    )


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_timeline(language, autoescape):
    with translation.override(language):
        for provider_view in (False, True):
            old, new = both(
                TIMELINE, "{% calloff_timeline_items %}", autoescape, events=events(), provider_view=provider_view
            )
            assert new == old
            assert "ds-timeline__item" in new


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_services(language, autoescape):
    with translation.override(language):
        old, new = both(SERVICES, "{% calloff_service_rows %}", autoescape, services=services())
        assert new == old
        assert new.count("kern-table__row") == 2


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_checklist(language, autoescape):
    with translation.override(language):
        for may in (True, False):
            old, new = both(
                CHECKLIST,
                "{% calloff_checklist_steps %}",
                autoescape,
                checklist=checklist(),
                actions={"checklist": may},
                checklist_url="/abrufe/x/checklist/?a=1&b=2",
            )
            assert new == old
            assert ("<form" in new) is may


def open_steps():
    """The card's steps as first_hour_checklist gives them before anything is ticked (FirstHourStep's lazy labels)."""
    return [
        ChecklistRow(step=step.value, label=step.label, done=False, changed_at=None, changed_by="")
        for step in FirstHourStep
    ]


def test_open_steps_kept_per_language_with_each_requests_url_and_token():
    """An open step's HTML is kept (calloff_page._OPEN_STEPS): rendered again and again, in one language and
    the other, each time with another call-off's URL and another CSRF token, it is what the loop renders."""
    for n, (language, autoescape, may) in enumerate(
        itertools.product(["de", "en", "de"], [True, False], [True, False])
    ):
        with translation.override(language):
            values = {
                "checklist": open_steps(),
                "actions": {"checklist": may},
                "checklist_url": f"/abrufe/{n}/checklist/?a=1&b=<{n}>",
            }
            old, new = both(CHECKLIST, "{% calloff_checklist_steps %}", autoescape, **values)
            values["csrf_token"] = f"TOKEN-{n}"
            assert new == old
            assert (f"/abrufe/{n}/checklist/" in new) is may
            again = Template("{% load calloff_page %}{% calloff_checklist_steps %}").render(
                Context(values, autoescape=autoescape)
            )
            assert again == Template(CHECKLIST).render(Context(values, autoescape=autoescape))
            assert ("TOKEN-" in again) is may


def test_a_kept_open_step_is_not_shown_for_another_label():
    """The same step with another label (not FirstHourStep's) is rendered anew, escaped, not taken from what
    was kept for the card's label; a label that holds the pieces' marks is rendered as it is."""
    rows = open_steps()[:1]
    Template("{% load calloff_page %}{% calloff_checklist_steps %}").render(
        Context({"checklist": rows, "actions": {"checklist": True}, "checklist_url": "/u/", "csrf_token": "T"})
    )
    for label in ("<script>x</script>", "a \x00url\x00 b \x00csrf\x00 c"):
        hostile = [ChecklistRow(step=rows[0].step, label=label, done=False, changed_at=None, changed_by="")]
        old, new = both(
            CHECKLIST,
            "{% calloff_checklist_steps %}",
            True,
            checklist=hostile,
            actions={"checklist": True},
            checklist_url="/u/",
        )
        assert new == old
        assert str(rows[0].label) not in new
    assert (
        "&lt;script&gt;x&lt;/script&gt;"
        in both(
            CHECKLIST,
            "{% calloff_checklist_steps %}",
            True,
            checklist=[
                ChecklistRow(step="log", label="<script>x</script>", done=False, changed_at=None, changed_by="")
            ],
            actions={"checklist": False},
        )[1]
    )


def test_a_kept_open_step_with_and_without_autoescape():
    rows = [ChecklistRow(step="log", label="A <b> & C", done=False, changed_at=None, changed_by="")]
    for autoescape in (True, False, True):
        old, new = both(CHECKLIST, "{% calloff_checklist_steps %}", autoescape, checklist=rows, actions={})
        assert new == old
        assert ("A <b> & C" in new) is not autoescape


def test_nothing_to_list():
    assert both(TIMELINE, "{% calloff_timeline_items %}", True, events=[], provider_view=False) == ("", "")
    assert both(SERVICES, "{% calloff_service_rows %}", True, services=[]) == ("", "")


OLD_CHECKLIST_SECTION = """{% load i18n calloff_page %}
{% comment %}The first-hour checklist of the emergency card, ticked by the body's staff (calloffs.views.detail, action "checklist").{% endcomment %}
<section class="ds-flow ds-checklist" aria-labelledby="checklist-heading" id="checkliste">
  <h2 class="kern-heading-medium" id="checklist-heading">{% translate "Checkliste für die erste Stunde" %}</h2>
  <p class="kern-body">{% blocktranslate count counter=checklist_done trimmed with total=checklist|length %}
    {{ counter }} von {{ total }} Schritten erledigt.
  {% plural %}
    {{ counter }} von {{ total }} Schritten erledigt.
  {% endblocktranslate %} {% translate "Die Schritte der Notfallkarte; jeder Haken steht mit Uhrzeit und Namen in der Zeitleiste des Sicherheitsvorfalls." %}</p>
  <ol class="ds-checklist__list">{% if actions.checklist %}{% url 'calloffs:action' calloff.public_id 'checklist' as checklist_url %}{% endif %}
    {% calloff_checklist_steps %}
  </ol>
</section>
"""  # noqa: E501


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_checklist_section(language, autoescape, rf):
    """{% calloff_checklist_section %} renders what calloffs/includes/first_hour_checklist.html rendered."""
    calloff = SimpleNamespace(public_id="4c5b0f3e-0000-4000-8000-000000000001")
    with translation.override(language):
        for may, rows in itertools.product((True, False), (checklist(), checklist()[:1], [])):
            values = {
                "calloff": calloff,
                "checklist": rows,
                "checklist_done": sum(row.done for row in rows),
                "actions": {"checklist": may},
                "csrf_token": "TOKEN<&>",
            }
            old, new = (
                Template(source).render(Context(dict(values), autoescape=autoescape))
                for source in (OLD_CHECKLIST_SECTION, "{% load calloff_page %}{% calloff_checklist_section %}")
            )
            assert new == old
            assert ('name="step"' in new) is (may and bool(rows))


def test_hostile_text_is_escaped_in_the_checklist():
    rows = [ChecklistRow(step="log", label="<script>x</script>", done=True, changed_at=AT, changed_by="<script>y")]
    html = Template("{% load calloff_page %}{% calloff_checklist_section %}").render(
        Context({"calloff": SimpleNamespace(public_id="x"), "checklist": rows, "checklist_done": 1, "actions": {}})
    )
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "&lt;script&gt;y" in html


# The filing form's loops (calloffs/templatetags/calloff_form.py).
HOTLINES = """{% for provider in hotlines %}<li>{{ provider.short_name }}: <a class="kern-link" href="tel:{{ provider.hotline|cut:' ' }}">{{ provider.hotline }}</a></li>{% endfor %}"""  # noqa: E501
CLOCKS = """{% load i18n %}{% for clock in clocks %}<li data-clock-seconds="{{ clock.seconds }}">{{ clock.label }}: {% translate "bis" %} <time datetime="{{ clock.due_at|date:'c' }}">{{ clock.due_at|date:"SHORT_DATETIME_FORMAT" }}</time></li>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_filing_forms_hotlines_and_clocks(language, autoescape):
    from incidents.selectors import reporting_clocks

    hotlines = [
        Provider(short_name="P<1>", hotline="+49 211 555 0100"),
        Provider(short_name="A & B", hotline="0800 & 1"),
    ]
    with translation.override(language):
        old, new = both(
            HOTLINES, "{% load calloff_form %}{% calloff_hotlines hotlines %}", autoescape, hotlines=hotlines
        )
        assert new == old
        assert "tel:+492115550100" in new
        old, new = both(CLOCKS, "{% load calloff_form %}{% calloff_clocks %}", autoescape, clocks=reporting_clocks(AT))
        assert new == old
        assert new.count("<li data-clock-seconds=") == 5


@pytest.mark.parametrize("language", ["de", "en"])
def test_choice_label_is_get_display(language):
    from calloffs.models import CallOff
    from calloffs.templatetags.calloff_page import choice_label

    with translation.override(language):
        for model in (CallOff, CallOffEvent):
            for field in model._meta.concrete_fields:
                if not field.choices:
                    continue
                for value in [*(v for v, _label in field.flatchoices), None, "unknown"]:
                    instance = model(**{field.attname: value})
                    assert choice_label(instance, field.name) == getattr(instance, f"get_{field.name}_display")()
