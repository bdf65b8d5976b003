"""{% form_errors_of form %} (digisos/templatetags/kern_fields.py) renders what the include of
includes/form_errors.html rendered, with and without errors; the errors' text is escaped."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Grund <b>", max_length=5)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    "data",
    [None, {}, {"reason": "<script>alert(1)</script>"}, {"reason": "ok"}],
    ids=["unbound", "empty", "long", "ok"],
)
def test_it_renders_what_the_include_rendered(language, data):
    form = ReasonForm(data)
    if data == {"reason": "<script>alert(1)</script>"}:
        form.add_error(None, "<script>x</script>")
    with translation.override(language):
        old = Template('{% include "includes/form_errors.html" %}').render(Context({"form": form}))
        new = Template("{% load kern_fields %}{% form_errors_of form %}").render(Context({"form": form}))
    assert new == old
    assert "<script>" not in new
    assert ("ds-error-summary" in new) is bool(data != {"reason": "ok"} and data is not None)
