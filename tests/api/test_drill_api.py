"""Providers' API: "drill" on every call-off object (list and detail), true for a drill only."""

import uuid

import pytest

from calloffs import services
from calloffs.models import Priority
from incidents.models import Category
from tests.api.conftest import ACCEPT, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a):
    return services.calloff_file(
        organisation=org_a,
        actor=alice,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Übung: angenommener Befall.",
        priority=Priority.P2,
        services=[(setup.modules.remote, 4)],
        callback_phone="+49 171 1234567",
        drill=True,
    )


def test_drill_is_true_on_a_drill_and_false_on_a_real_call_off(api, drill, file_calloff):
    real = file_calloff()
    listed = {row["id"]: row["drill"] for row in api(0).get(url()).json()["results"]}
    assert listed == {str(drill.public_id): True, str(real.public_id): False}
    assert api(0).get(url(drill)).json()["drill"] is True
    assert api(0).get(url(real)).json()["drill"] is False


def test_the_accepted_drill_says_so_too(api, drill):
    response = api(0).post(url(drill, "accept/"), ACCEPT, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["drill"] is True


def test_another_provider_does_not_see_the_drill(api, drill):
    assert api(1).get(url(drill)).status_code == 404
