"""Panels the apps above us add to the situation picture (e.g. the aftercare app's root causes and
indicators seen at more than one body), registered at app-ready time, so calloffs never imports them.

A provider is ``provider(user) -> list[SituationPanel]``; it is only called for ministry staff (the
situation picture is theirs alone) and decides itself what of its data a panel may show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SituationPanel:
    #: Unique on the page: the section's heading id is ``panel-<key>``.
    key: str
    title: str
    #: Rendered inside the panel's section with ``panel`` in the context.
    template: str
    context: dict = field(default_factory=dict)
    #: Panels are shown in ascending order (then by key) after the built-in sections.
    order: int = 100


_providers: list[Callable] = []


def register_panel(provider: Callable) -> None:
    """``provider(user) -> list[SituationPanel]``; registering the same callable twice has no effect."""
    if provider not in _providers:
        _providers.append(provider)


def panels(user) -> list[SituationPanel]:
    found = [panel for provider in _providers for panel in provider(user)]
    return sorted(found, key=lambda panel: (panel.order, panel.key))
