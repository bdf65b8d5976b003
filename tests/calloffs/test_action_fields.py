"""``{% action_fields_of form %}`` (calloffs/templatetags/calloff_page.py) renders what ``{% kern_fields_of form %}``
renders, kept or not: the call-off page's reason and summary forms unbound (kept per class, ids, language and
autoescaping), and everything else rendered anew (a bound form with its input and errors, initial values,
another form class)."""

from __future__ import annotations

import itertools

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from calloffs.forms import AcceptForm, ReasonForm, SummaryForm
from calloffs.templatetags import calloff_page

OLD = Template("{% load kern_fields %}{% kern_fields_of form %}")
NEW = Template("{% load calloff_page %}{% action_fields_of form %}")


def render_both(form, *, autoescape=True):
    old = OLD.render(Context({"form": form}, autoescape=autoescape))
    new = NEW.render(Context({"form": form}, autoescape=autoescape))
    return old, new


@pytest.mark.parametrize("autoescape", [True, False])
def test_unbound_reason_and_summary_forms_render_as_kern_fields_of(autoescape):
    calloff_page._PLAIN_FIELDS.clear()
    forms = [
        lambda: ReasonForm(auto_id="cancel_%s"),
        lambda: ReasonForm(auto_id="decline_%s"),
        lambda: SummaryForm(auto_id="complete_%s"),
        lambda: ReasonForm(auto_id="cancel_%s", prefix="x"),
        lambda: ReasonForm(),
        lambda: ReasonForm(use_required_attribute=False),
        lambda: ReasonForm(label_suffix="?"),
    ]
    for _round, language, make in itertools.product(range(2), ["de", "en", "de"], forms):
        with translation.override(language):
            old, new = render_both(make(), autoescape=autoescape)
            assert new == old
    assert calloff_page._PLAIN_FIELDS  # and it was kept
    cancel, decline = (render_both(ReasonForm(auto_id=f"{name}_%s"))[1] for name in ("cancel", "decline"))
    assert 'id="cancel_reason"' in cancel and 'id="decline_reason"' in decline
    with translation.override("en"):
        assert "Reason" in render_both(ReasonForm(auto_id="cancel_%s"))[1]


def test_what_is_not_plain_is_rendered_anew():
    calloff_page._PLAIN_FIELDS.clear()
    bound_invalid = ReasonForm({"reason": ""}, auto_id="cancel_%s")
    bound_valid = ReasonForm({"reason": "<b>zu spät</b>"}, auto_id="cancel_%s")
    with_initial = ReasonForm(auto_id="cancel_%s", initial={"reason": "<i>vorbelegt</i>"})
    for form in (bound_invalid, bound_valid, with_initial, AcceptForm(auto_id="accept_%s")):
        old, new = render_both(form)
        assert new == old
    assert not calloff_page._PLAIN_FIELDS
    assert "kern-error" in render_both(bound_invalid)[1]
    assert "&lt;b&gt;zu spät&lt;/b&gt;" in render_both(bound_valid)[1]
    # The unbound form afterwards: without the other forms' input.
    html = render_both(ReasonForm(auto_id="cancel_%s"))[1]
    assert "zu spät" not in html and "vorbelegt" not in html and "kern-error" not in html


def test_a_changed_setting_renders_anew():
    calloff_page._PLAIN_FIELDS.clear()
    render_both(ReasonForm(auto_id="cancel_%s"))
    assert calloff_page._PLAIN_FIELDS
    with override_settings(LANGUAGE_CODE="de"):
        assert not calloff_page._PLAIN_FIELDS
