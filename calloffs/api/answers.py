"""The call-off's detail answer built as plain dicts: what CallOffDetailSerializer gives, key for key and
in its order (tests/api/test_answers.py compares the two, JSON byte for byte), without a serializer
instance and a bound field per value (issue 19: serialising the accept's answer through DRF was
~15 % of its CPU). The schema stays the serializer's; only the accept answers this way.

It reads what the serializer reads: the call-off with its body and contract, and the related rows
as the view primed them (open offers of this provider, the contract's roles and service modules,
services with their modules, events, documents).
"""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from digisos.wire import rfc3339
from incidents.models import Category

from ..models import CallOff, CallOffState, DocumentKind, Priority, RoleRate, ServiceModule
from ..services.notify import document_api_url
from .serializers import API_DOCUMENT_STATE


def _choice(choices):
    """ChoiceField.to_representation: the choice's own value for its string, else the value as it is."""
    by_string = {str(value): value for value, _label in choices}

    def represent(value):
        if value in ("", None):
            return value
        return by_string.get(str(value), value)

    return represent


_STATE = _choice(CallOffState.choices)
_PRIORITY = _choice(Priority.choices)
_CATEGORY = _choice(Category.choices)
_DOCUMENT_KIND = _choice(DocumentKind.choices)
_UNIT = _choice(ServiceModule._meta.get_field("unit").choices)


def _decimal(model, name: str):
    """The DecimalField a ModelSerializer builds for the model's field: its to_representation."""
    field = model._meta.get_field(name)
    return serializers.DecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places).to_representation


_HOURLY_RATE = _decimal(RoleRate, "hourly_rate")
_PRICE = _decimal(ServiceModule, "price")
#: CallOffServiceSerializer declares it: DecimalField(max_digits=10, decimal_places=2).
_ESTIMATED = serializers.DecimalField(max_digits=10, decimal_places=2).to_representation


def _dt(value):
    """WireDateTimeField.to_representation of a model's datetime (aware, or None)."""
    return rfc3339(value) if value else None


def _str(value):
    """CharField.to_representation, None kept (a serializer writes None for a None attribute)."""
    return None if value is None else str(value)


def _number(value: Decimal | None, represent):
    return None if value is None else represent(value)


def calloff_detail_data(calloff: CallOff, *, provider_id: int) -> dict:
    """CallOffDetailSerializer(calloff).data for this provider, as a plain dict."""
    body = calloff.organisation
    contract = calloff.contract
    assigned = calloff.provider_id == provider_id
    offers = getattr(calloff, "open_offers_for_provider", None)
    if offers is None:
        offers = [o for o in calloff.offers.all() if o.provider_id == provider_id and o.state == "open"]
    offer = None
    if offers:
        first = offers[0]
        offer = {"id": str(first.public_id), "offered_at": _dt(first.offered_at), "respond_by": _dt(first.respond_by)}
    return {
        "id": str(calloff.public_id),
        "number": _str(calloff.number),
        "drill": bool(calloff.is_drill),
        "state": _STATE(calloff.state),
        "priority": _PRIORITY(calloff.priority),
        "category": _CATEGORY(calloff.category),
        "body": None
        if body is None
        else {
            "name": _str(body.name),
            "ags": _str(body.ags),
            "kind": _str(body.kind),
            "regierungsbezirk": _str(body.regierungsbezirk),
            "street": _str(body.street),
            "postcode": _str(body.postcode),
            "city": _str(body.city),
        },
        "assigned": assigned,
        "offer": offer,
        "submitted_at": _dt(calloff.submitted_at),
        "accepted_at": _dt(calloff.accepted_at),
        "updated_at": _dt(calloff.updated_at),
        "situation": _str(calloff.situation),
        "detected_at": _dt(calloff.detected_at),
        "affected": _str(calloff.affected),
        "operations_halted": bool(calloff.operations_halted),
        "contract": None
        if contract is None
        else {
            "reference": _str(contract.reference),
            "title": _str(contract.title),
            "roles": [
                {"name": _str(role.name), "hourly_rate": _number(role.hourly_rate, _HOURLY_RATE)}
                for role in contract.role_rates.all()
            ],
            "service_modules": [
                {
                    "code": _str(module.code),
                    "name": _str(module.name),
                    "unit": _UNIT(module.unit),
                    "price": _number(module.price, _PRICE),
                }
                for module in contract.service_modules.all()
            ],
        },
        "services": [
            {
                "code": _str(service.service_module.code),
                "name": _str(service.service_module.name),
                "unit": _str(service.service_module.unit),
                "estimated_quantity": _number(service.estimated_quantity, _ESTIMATED),
            }
            for service in calloff.services.all()
        ],
        "sla": {
            "callback_due_at": _dt(calloff.callback_due_at),
            "remote_start_due_at": _dt(calloff.remote_start_due_at),
            "onsite_due_at": _dt(calloff.onsite_due_at),
            "callback_made_at": _dt(calloff.callback_made_at),
            "remote_started_at": _dt(calloff.remote_started_at),
            "onsite_arrived_at": _dt(calloff.onsite_arrived_at),
            "contained_at": _dt(calloff.contained_at),
        },
        "contact": {
            "callback_phone": _str(calloff.callback_phone),
            "callback_email": _str(calloff.callback_email),
            "place_of_performance": _str(calloff.place_of_performance),
        }
        if assigned
        else None,
        "lead": {
            "lead_name": _str(calloff.lead_name),
            "lead_phone": _str(calloff.lead_phone),
            "eta_remote": _dt(calloff.eta_remote),
            "eta_onsite": _dt(calloff.eta_onsite),
        }
        if assigned
        else None,
        "completion_summary": _str(calloff.completion_summary),
        "events": [
            {
                "at": _dt(event.at),
                "kind": _str(event.kind),
                "old_state": _str(event.old_state),
                "new_state": _str(event.new_state),
                "reason": _str(event.reason),
            }
            for event in calloff.events.all()
            if event.provider_id in (None, provider_id)
        ],
        "documents": _documents(calloff) if assigned else [],
    }


def _documents(calloff: CallOff) -> list[dict]:
    drill = bool(calloff.is_drill)
    out = []
    for document in sorted(calloff.documents.all(), key=lambda d: (d.kind, -d.version)):
        ready = document.is_ready
        out.append(
            {
                "id": str(document.public_id),
                "drill": drill,
                "kind": _DOCUMENT_KIND(document.kind),
                "version": int(document.version),
                "state": API_DOCUMENT_STATE[document.state],
                "sha256": document.sha256 if ready else None,
                "size": document.size if ready else None,
                "issued_at": rfc3339(document.rendered_at) if ready and document.rendered_at else None,
                "url": document_api_url(document) if ready else None,
            }
        )
    return out
