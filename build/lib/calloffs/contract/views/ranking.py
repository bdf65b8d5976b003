"""The order of precedence: the current version and its history, one version's lists, and the
form that publishes a new version (one row per provider in each list, a mandatory reason)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ... import selectors, services
from ...errors import CallOffError
from ...models import Provider
from .. import selectors as sc
from ..forms import RankingFormSet, RankingReasonForm
from .common import ministry_only

PREFIX = "liste"


@ministry_only
def contract_ranking(request, public_id):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    version = selectors.ranking_current(contract)
    context = {
        "contract": contract,
        "version": version,
        "ranking_lists": sc.ranking_lists(version),
        "versions": sc.ranking_versions(contract),
    }
    return render(request, "calloffs/contract/ranking.html", context)


@ministry_only
def contract_ranking_version(request, public_id, number):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    version = sc.ranking_version_for(contract=contract, number=number)
    current = selectors.ranking_current(contract)
    context = {
        "contract": contract,
        "version": version,
        "is_current": current is not None and current.pk == version.pk,
        "ranking_lists": sc.ranking_lists(version),
    }
    return render(request, "calloffs/contract/ranking_version.html", context)


def _initial(version, providers) -> list[dict]:
    """The lists of the current version as form data: the general list first (possibly empty)."""
    general: dict = {"service_module": "", "regierungsbezirk": ""}
    special = []
    for item in sc.ranking_lists(version):
        ranks = {f"rank_{entry.provider.public_id}": entry.rank for entry in item.entries}
        if item.is_general:
            general.update(ranks)
        else:
            module = item.service_module
            special.append(
                {
                    "service_module": str(module.public_id) if module else "",
                    "regierungsbezirk": item.regierungsbezirk,
                    **ranks,
                }
            )
    return [general, *special]


def _providers_in_order(version) -> list[Provider]:
    """Every provider, in the order of the current general list; the unranked after them by name."""
    general = {}
    for item in sc.ranking_lists(version):
        if item.is_general:
            general = {entry.provider_id: entry.rank for entry in item.entries}
    providers = Provider.objects.order_by("short_name", "pk")
    return sorted(providers, key=lambda p: (p.pk not in general, general.get(p.pk, 0), not p.active))


def _with_one_more_list(data):
    """The submitted data with one more (empty) list, or None if the count is not a usable number."""
    data = data.copy()
    key = f"{PREFIX}-TOTAL_FORMS"
    total = data.get(key, "")
    if not (total.isascii() and total.isdigit()) or int(total) >= RankingFormSet.max_num:
        return None
    data[key] = str(int(total) + 1)
    return data


@ministry_only
def contract_ranking_edit(request, public_id):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    current = selectors.ranking_current(contract)
    providers = _providers_in_order(current)
    modules = list(sc.contract_modules(contract))
    kwargs = {"prefix": PREFIX, "providers": providers, "modules": modules}
    publish_error = ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "add_list":
        data = _with_one_more_list(request.POST)
        if data is None:
            messages.warning(request, _("Es können keine weiteren Listen hinzugefügt werden."))
            formset = RankingFormSet(initial=_initial(current, providers), **kwargs)
        else:
            formset = RankingFormSet(data, **kwargs)
        reason_form = RankingReasonForm(initial={"reason": request.POST.get("reason", "")[:2000]})
    elif request.method == "POST":
        formset = RankingFormSet(request.POST, **kwargs)
        reason_form = RankingReasonForm(request.POST)
        formset_ok = formset.is_valid()
        if reason_form.is_valid() and formset_ok:
            try:
                version = services.ranking_publish(
                    contract=contract,
                    actor=request.user,
                    entries=formset.entries(),
                    reason=reason_form.cleaned_data["reason"],
                )
            except CallOffError as exc:
                if exc.field == "reason":
                    reason_form.add_error("reason", exc.message)
                else:
                    publish_error = exc.message
            else:
                messages.success(
                    request,
                    _(
                        "Version %(number)s der Rangfolge ist veröffentlicht. Neue Abrufe verwenden sie; "
                        "laufende Abrufe behalten ihre Version."
                    )
                    % {"number": version.number},
                )
                return redirect("calloffs:contract_ranking", public_id=contract.public_id)
        status = 400
    else:
        formset = RankingFormSet(initial=_initial(current, providers), **kwargs)
        reason_form = RankingReasonForm()
    context = {
        "contract": contract,
        "current": current,
        "formset": formset,
        "reason_form": reason_form,
        "publish_error": publish_error,
        "providers": providers,
        "modules": modules,
        "can_add_list": formset.total_form_count() < RankingFormSet.max_num,
    }
    return render(request, "calloffs/contract/ranking_form.html", context, status=status)
