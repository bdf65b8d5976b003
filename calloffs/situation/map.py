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
#: Colour steps for 0, 1, 2–3, 4–9, 10+ affected bodies (dark enough for text contrast not needed: no text on areas).
STEPS = [(0, "#eef1f5"), (1, "#f6c9c9"), (2, "#e88a8a"), (4, "#c94040"), (10, "#7a0000")]
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
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = WIDTH / ((max(lons) - min(lons)) * kx)
    height = math.ceil((max(lats) - min(lats)) * scale)

    def point(lon: float, lat: float) -> str:
        return f"{(lon - min(lons)) * kx * scale:.1f},{(max(lats) - lat) * scale:.1f}"

    shapes = []
    for key, name, rs in rings:
        d = " ".join("M" + " L".join(point(x, y) for x, y in ring) + " Z" for ring in rs)
        shapes.append((key, name, d))
    return shapes, height


def colour_for(count: int) -> str:
    colour = STEPS[0][1]
    for threshold, step_colour in STEPS:
        if count >= threshold:
            colour = step_colour
    return colour


def kreis_key(ags: str | None) -> str | None:
    """The 5-digit key of the map area a body lies in (Aachen lies in the Städteregion 05334)."""
    return ags[:5] if ags and ags.startswith("05") else None


def nrw_map(counts: dict[str, int], *, title: str) -> str:
    shapes, height = _shapes()
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" class="ds-map" '
            'aria-labelledby="map-t"><title id="map-t">{}</title>',
            WIDTH,
            height,
            title,
        )
    ]
    for key, name, d in shapes:
        count = counts.get(key, 0)
        parts.append(
            format_html(
                '<path d="{}" fill="{}" stroke="#ffffff" stroke-width="0.8"><title>{}: {}</title></path>',
                d,
                colour_for(count),
                name,
                count,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - parts escaped by format_html


def attribution() -> str:
    return mark_safe(ATTRIBUTION)  # noqa: S308 - constant markup
