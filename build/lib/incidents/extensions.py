"""Links the apps above us add to the incident page (e.g. the aftercare app's findings and
indicators) and to the major incident page (e.g. the reconnection gates of its bodies), registered at
app-ready time, so incidents never imports those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IncidentLink:
    label: str
    url: str
    note: str = ""


_providers: list[Callable] = []


def register_link(provider: Callable) -> None:
    """``provider(user, incident) -> list[IncidentLink]``; registering the same callable twice has no effect."""
    if provider not in _providers:
        _providers.append(provider)


def links(user, incident) -> list[IncidentLink]:
    return [link for provider in _providers for link in provider(user, incident)]


_major_providers: list[Callable] = []


def register_major_link(provider: Callable) -> None:
    """``provider(user, major) -> list[IncidentLink]`` for the major incident page (ministry only);
    registering the same callable twice has no effect."""
    if provider not in _major_providers:
        _major_providers.append(provider)


def major_links(user, major) -> list[IncidentLink]:
    return [link for provider in _major_providers for link in provider(user, major)]
