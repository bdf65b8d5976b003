"""A choropleth map of NRW's 53 Kreise and kreisfreie Städte as server-rendered SVG.

Boundaries: tenants/data/nrw_kreise.geojson (BKG VG1000, dl-de/by-2-0; the attribution is shown
next to the map). Projected with a simple equirectangular projection scaled by cos(latitude),
which is accurate enough at the scale of one Land.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from django.utils.html import format_html, mark_safe

GEOJSON = Path(__file__).resolve().parent.parent.parent / "tenants" / "data" / "nrw_kreise.geojson"
WIDTH = 600
#: Colour steps for 0, 1, 2–3, 4–9, 10+ affected bodies. Every affected step stands out from the pale
#: unaffected areas (non-text contrast ≥ 3:1) and is hatched and outlined too, so colour is not the only cue.
STEPS = [(0, "#eef1f5"), (1, "#e8590c"), (2, "#c92a2a"), (4, "#8b0000"), (10, "#3d0000")]
UNAFFECTED_STROKE = "#8a94a6"
AFFECTED_STROKE = "#000000"
HATCH_ID = "ds-map-hatch"
ATTRIBUTION = (
    '© <a href="https://www.bkg.bund.de">BKG</a> (2026) '
    '<a href="https://www.govdata.de/dl-de/by-2-0">dl-de/by-2-0</a> (Daten verändert), Datenquellen: '
    "https://sgx.geodatenzentrum.de/web_public/gdz/datenquellen/datenquellen_vg_nuts.pdf"
)


@lru_cache(maxsize=1)
def _shapes() -> tuple[list[tuple[str, str, str]], int]:
    """(key, name, SVG path data) per Kreis, and the map height; computed once per process."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    rings = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings.append((feature["properties"]["ags"], feature["properties"]["name"], [r for p in polygons for r in p]))
    lons = [x for _k, _n, rs in rings for r in rs for x, _y in r]
    lats = [y for _k, _n, rs in rings for r in rs for _x, y in r]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)  # once: point() runs ~12,000 times
    kx = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / ((east - west) * kx)
    height = math.ceil((north - south) * scale)

    def point(lon: float, lat: float) -> str:
        return f"{(lon - west) * kx * scale:.1f},{(north - lat) * scale:.1f}"

    shapes = []
    for key, name, rs in rings:
        d = " ".join("M" + " L".join(point(x, y) for x, y in ring) + " Z" for ring in rs)
        shapes.append((key, name, d))
    return shapes, height


def kreis_names() -> dict[str, str]:
    """5-digit key → name of the 53 map areas (from the boundary file; no database query)."""
    return {key: name for key, name, _d in _shapes()[0]}


def colour_for(count: int) -> str:
    colour = STEPS[0][1]
    for threshold, step_colour in STEPS:
        if count >= threshold:
            colour = step_colour
    return colour


def kreis_key(ags: str | None) -> str | None:
    """The 5-digit key of the map area a body lies in (Aachen lies in the Städteregion 05334)."""
    return ags[:5] if ags and ags.startswith("05") else None


def step_of(count: int) -> int:
    """Index in STEPS of the colour step for ``count``."""
    index = 0
    for i, (threshold, _colour) in enumerate(STEPS):
        if count >= threshold:
            index = i
    return index


def legend(counts: dict[str, int]) -> list[dict]:
    """The colour steps with their range and how many map areas fall into each."""
    per_step = [0] * len(STEPS)
    for key, _name, _d in _shapes()[0]:
        per_step[step_of(counts.get(key, 0))] += 1
    items = []
    for i, (threshold, colour) in enumerate(STEPS):
        upper = STEPS[i + 1][0] - 1 if i + 1 < len(STEPS) else None
        items.append({"low": threshold, "high": upper, "colour": colour, "areas": per_step[i], "affected": i > 0})
    return items


def swatch(colour: str, *, affected: bool) -> str:
    """A small legend square drawn like the map areas (hatched and outlined when affected); it uses the
    map's hatch pattern, so it belongs on the same page as the map."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" '
        'focusable="false" class="ds-map-legend__swatch"><rect x="1" y="1" width="22" height="22" fill="{}" '
        'stroke="{}" stroke-width="{}"></rect>{}</svg>',
        colour,
        AFFECTED_STROKE if affected else UNAFFECTED_STROKE,
        2 if affected else 1,
        mark_safe(f'<rect x="1" y="1" width="22" height="22" fill="url(#{HATCH_ID})"></rect>') if affected else "",  # noqa: S308
    )


def _hatch_defs() -> str:
    return mark_safe(  # noqa: S308 - constant markup
        f'<defs><pattern id="{HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="6" fill="#ffffff" fill-opacity="0.55"></rect>'
        "</pattern></defs>"
    )


def nrw_map(counts: dict[str, int], *, title: str, label: str = "%(name)s: %(count)s") -> str:
    """The map as one SVG: every area has its name and count as <title> (hover) and aria-label, and can
    take the keyboard focus; affected areas are coloured, hatched and outlined in black, and drawn last
    so their outline is not covered by a neighbour's."""
    shapes, height = _shapes()
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="group" class="ds-map" '
            'aria-labelledby="map-t"><title id="map-t">{}</title>{}',
            WIDTH,
            height,
            title,
            _hatch_defs(),
        )
    ]
    ordered = sorted(shapes, key=lambda shape: counts.get(shape[0], 0) > 0)
    for key, name, d in ordered:
        count = counts.get(key, 0)
        text = label % {"name": name, "count": count}
        affected = count > 0
        parts.append(
            format_html(
                '<path d="{}" fill="{}" stroke="{}" stroke-width="{}" tabindex="0" role="img" aria-label="{}" '
                'data-name="{}" class="ds-map__area{}"><title>{}</title></path>',
                d,
                colour_for(count),
                AFFECTED_STROKE if affected else "#aab3c2",
                "1.6" if affected else "0.6",
                text,
                text,
                " ds-map__area--affected" if affected else "",
                text,
            )
        )
        if affected:
            parts.append(
                format_html(
                    '<path d="{}" fill="url(#{})" aria-hidden="true" pointer-events="none" '
                    'class="ds-map__hatch"></path>',
                    d,
                    HATCH_ID,
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - parts escaped by format_html


def attribution() -> str:
    return mark_safe(ATTRIBUTION)  # noqa: S308 - constant markup
