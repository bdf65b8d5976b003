"""The demo as the documentation describes it: the refusal tells how to go on, and the provider
API guide's example names a provider that the demo really has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calloffs.demo import PROVIDERS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_refusal_names_the_force_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_the_provider_api_examples_name_a_demo_provider():
    text = (ROOT / "docs" / "PROVIDER_API.md").read_text()
    named = re.findall(r"create_provider_api_key ([A-Za-z][^\s`<\"]*)", text)
    assert named, "the guide shows no example of create_provider_api_key"
    short_names = {p["short_name"] for p in PROVIDERS}
    assert set(named) <= short_names, named
