"""The readiness panel of the situation picture (issue 18): how ready the bodies are (share of complete
profiles, stale profiles, remote access without MFA), in numbers only, never a profile's contents.

readiness sits below calloffs and cannot register itself, so calloffs adds its panel through the same
composition as the apps above it (calloffs.situation.panels), registered in CalloffsConfig.ready."""

from __future__ import annotations

from django.utils.translation import gettext as _

from readiness.selectors import overview

from .panels import SituationPanel


def readiness_panels(user) -> list[SituationPanel]:
    """Called for ministry staff only (the situation picture is theirs); two aggregate queries."""
    return [
        SituationPanel(
            key="readiness",
            title=_("Vorbereitung der Stellen"),
            template="calloffs/includes/situation_readiness.html",
            context={"overview": overview()},
            order=50,
        )
    ]
