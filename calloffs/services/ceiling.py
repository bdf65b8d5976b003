"""The contract's maximum value (Höchstwert) at filing time.

The arithmetic (committed, consumed, remaining) is a read and lives in
``calloffs.selectors.contract_ceiling_status``; this module holds what a filing *does* about it.
A filing is checked against ``remaining = ceiling − committed − consumed`` (the "bound" value: the
other call-offs' estimates not yet consumed plus the approved amounts).
An emergency is never refused for the ceiling: it is filed, flagged and reported to the
ministry, who decide (DOMAIN.md: once the maximum is reached no further call-offs may be made,
so the ministry must learn of it at once).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from ..models import AlertKind, CallOff, EventKind, MinistryAlert
from ..money import format_eur, format_number  # format_eur: also re-exported by calloffs.services
from ..selectors import contract_ceiling_status, percent_of
from .common import alert_ministry, record_event

#: Share of the ceiling (in percent, committed) whose crossing raises an early warning.
CEILING_WARNING_PERCENT = Decimal("80")
#: Every threshold raises one alert per contract, the first time the commitments reach it.
CEILING_THRESHOLDS = (CEILING_WARNING_PERCENT, Decimal("95"), Decimal("100"))


def ceiling_check_filing(*, calloff: CallOff, bound_before: Decimal, actor) -> bool:
    """Flag a call-off whose estimate exceeds what is left of the ceiling, or warn when the
    commitments cross the warning threshold. Runs inside the filing transaction, with the
    contract row locked, so ``bound_before`` (committed plus consumed without this call-off,
    calloffs.selectors.bound_value) is exact. Returns True if flagged."""
    contract = calloff.contract
    committed_before = bound_before
    remaining = contract.ceiling - committed_before
    committed_after = committed_before + calloff.estimated_value
    if calloff.estimated_value > remaining:
        calloff.exceeds_ceiling = True
        calloff.save(update_fields=["exceeds_ceiling", "updated_at"])
        record_event(
            calloff=calloff,
            kind=EventKind.CEILING_EXCEEDED,
            actor=actor,
            reason=_("Der geschätzte Wert übersteigt den verbleibenden Höchstwert des Rahmenvertrags."),
            data={
                "estimated_value": calloff.estimated_value,
                "remaining_before": remaining,
                "ceiling": contract.ceiling,
                "committed_after": committed_after,
            },
        )
        alert_ministry(
            kind=AlertKind.CEILING_EXCEEDED,
            calloff=calloff,
            contract=contract,
            message=_(
                "Abruf {number} ({body}) über {value} übersteigt den verbleibenden Höchstwert von {remaining} "
                "des Rahmenvertrags {reference}. Der Abruf wurde gestellt; bitte prüfen und entscheiden."
            ).format(
                number=calloff.number,
                body=calloff.organisation.name,
                value=format_eur(calloff.estimated_value),
                remaining=format_eur(max(remaining, Decimal("0"))),
                reference=contract.reference,
            ),
        )
        return True
    before = percent_of(committed_before, contract.ceiling)
    after = percent_of(committed_after, contract.ceiling)
    crossed = [t for t in CEILING_THRESHOLDS if before < t <= after]
    if not crossed:  # almost every filing: no threshold, nothing to ask
        return False
    already = set(
        MinistryAlert.objects.filter(
            contract=contract, kind=AlertKind.CEILING_THRESHOLD, threshold__in=[int(t) for t in crossed]
        ).values_list("threshold", flat=True)
    )
    for threshold in crossed:
        if int(threshold) in already:
            continue  # once per contract, even if cancellations took the commitments below it again
        alert_ministry(
            kind=AlertKind.CEILING_THRESHOLD,
            calloff=calloff,
            contract=contract,
            threshold=int(threshold),
            message=_(
                "Mit Abruf {number} sind {percent} % des Höchstwerts des Rahmenvertrags {reference} gebunden "
                "(Schwelle {threshold} %, verbleibend {remaining})."
            ).format(
                number=calloff.number,
                percent=format_number(after),
                threshold=int(threshold),
                reference=contract.reference,
                remaining=format_eur(contract.ceiling - committed_after),
            ),
        )
    return False


def ceiling_check_consumed(*, contract, calloff: CallOff, approved_before: Decimal, approved_after: Decimal) -> None:
    """An approval (settlement) moved the approved amounts of the contract from ``approved_before``
    to ``approved_after`` (calloffs.selectors.consumed_value, the dashboard's "Verbraucht"): raise one
    alert (ministry dashboard and e-mail through the outbox) for each threshold crossed, the first time
    only; "noch frei" is the dashboard's remaining. The caller holds the contract row locked."""
    before = percent_of(approved_before, contract.ceiling)
    after = percent_of(approved_after, contract.ceiling)
    crossed = [t for t in CEILING_THRESHOLDS if after >= t and before < t]
    if not crossed:
        return
    already = set(
        MinistryAlert.objects.filter(
            contract=contract, kind=AlertKind.CEILING_CONSUMED, threshold__in=[int(t) for t in crossed]
        ).values_list("threshold", flat=True)
    )
    for threshold in crossed:
        if int(threshold) in already:
            continue  # once per contract, even if a credit note took the consumed value below it again
        alert_ministry(
            kind=AlertKind.CEILING_CONSUMED,
            calloff=calloff,
            contract=contract,
            threshold=int(threshold),
            message=_(
                "Mit der Freigabe zu Abruf {number} sind {percent} % des Höchstwerts des Rahmenvertrags {reference} "
                "durch freigegebene Leistungsnachweise verbraucht (Schwelle {threshold} %, noch frei {remaining})."
            ).format(
                number=calloff.number,
                percent=format_number(after),
                threshold=int(threshold),
                reference=contract.reference,
                remaining=format_eur(max(contract_ceiling_status(contract).remaining, Decimal("0"))),
            ),
        )
