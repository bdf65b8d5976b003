"""The billing terms form checks its limits itself (VAT, travel flat rate, holiday surcharge), with the
portal's one message for a range, before the model's validators (which would say it differently)."""

from decimal import Decimal

import pytest

from settlement.forms import BillingTermsForm
from settlement.models import BillingTerms

pytestmark = pytest.mark.django_db
RANGE = "Der Wert muss zwischen {low} und {high} liegen."


def form_for(setup, **data):
    values = {"vat_percent": "19", "travel_flat_rate": "0", "holiday_surcharge_percent": "", "payer": "ministry"}
    values.update(data)
    return BillingTermsForm(data=values, instance=BillingTerms(contract=setup.contract))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_percent", "30,01", RANGE.format(low="0,00", high="30,00")),
        ("travel_flat_rate", "10000,01", RANGE.format(low="0,00", high="10.000,00")),
        ("holiday_surcharge_percent", "500,01", RANGE.format(low="0,00", high="500,00")),
    ],
)
def test_it_refuses_a_value_above_the_maximum_with_one_message(setup, field, value, message):
    form = form_for(setup, **{field: value})
    assert not form.is_valid()
    assert form.errors == {field: [message]}


def test_the_maxima_themselves_and_an_empty_holiday_surcharge_pass(setup):
    form = form_for(setup, vat_percent="30", travel_flat_rate="10000", holiday_surcharge_percent="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["vat_percent"] == Decimal("30")
    assert form.cleaned_data["holiday_surcharge_percent"] == Decimal("0")
