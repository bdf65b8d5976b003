"""Leitweg-ID (KoSIT Formatspezifikation): format and ISO/IEC 7064 MOD 97-10 check digits,
in the validator and as a CHECK constraint of the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tenants.leitweg import check_digits, is_valid, normalise, validate_leitweg_id
from tests.factories import OrganisationFactory

#: Published examples: the KoSIT specification's worked example, the test ID of the federal
#: invoice portal, Deutsche Bahn, Flughafen Nürnberg; and one computed for an NRW municipality.
VALID = [
    "04011000-1234512345-06",
    "04011000-900X999-08",
    "992-90009-96",
    "09564000-NUE0001-49",
    "991-33333TEST-33",
    "05315000-ABC123-85",
    "05-83",
]

INVALID_CHECK = [
    "04011000-1234512345-07",  # last digit off by one
    "04011000-1234512345-60",  # check digits swapped
    "04011000-1234521345-06",  # two digits of the fine address swapped
    "992-90009-69",
    "05315000-ABC124-85",
]

INVALID_FORMAT = [
    "",
    "5-83",  # coarse address needs at least 2 digits
    "0531500012345-ABC-12",  # coarse address at most 12 digits
    "05315000-abc123-85",  # fine address in capitals
    "05315000-ABC_123-85",
    "05315000-" + "A" * 31 + "-00",  # fine address at most 30 characters
    "05315000-ABC123-8",  # two check digits
    "05315000ABC12385",
    "05315000--85",
    "05315000-ABC123-85-",
]


@pytest.mark.parametrize("value", VALID)
def test_valid_leitweg_ids_pass(value):
    assert is_valid(value)
    validate_leitweg_id(value)


@pytest.mark.parametrize("value", INVALID_CHECK)
def test_a_wrong_check_digit_is_refused(value):
    assert not is_valid(value)
    with pytest.raises(ValidationError) as info:
        validate_leitweg_id(value)
    assert info.value.code == "leitweg_check_digits"
    assert "Prüfziffer" in info.value.messages[0]


@pytest.mark.parametrize("value", [v for v in INVALID_FORMAT if v])
def test_a_malformed_leitweg_id_is_refused(value):
    assert not is_valid(value)
    with pytest.raises(ValidationError) as info:
        validate_leitweg_id(value)
    assert info.value.code == "leitweg_format"


def test_check_digits_are_computed_as_in_the_specification():
    # KoSIT's worked example: 04011000 1234512345 00 mod 97 = 92, 98 − 92 = 06
    assert check_digits("04011000-1234512345") == "06"
    assert check_digits("04011000-900X999") == "08"


def test_what_people_paste_is_normalised():
    assert normalise(" 05315000-abc123-85 \n") == "05315000-ABC123-85"


def test_the_organisation_validates_its_leitweg_id(db):
    body = OrganisationFactory(leitweg_id="05315000-ABC123-84")
    with pytest.raises(ValidationError) as info:
        body.full_clean()
    assert "leitweg_id" in info.value.message_dict


@pytest.mark.parametrize("value", ["05315000-abc123-85", "12345", "x"])
def test_the_database_refuses_a_malformed_leitweg_id(db, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(leitweg_id=value)


def test_the_database_accepts_an_empty_or_well_formed_leitweg_id(db):
    assert OrganisationFactory(leitweg_id="").pk
    assert OrganisationFactory(leitweg_id="05315000-ABC123-85").pk
