"""The public copy of a status page: rendered once per change, served from the cache.

Residents and the press hammer this page while the body's own website is down, so a view must not
touch the database. Every change commits, then ``refresh`` renders the page and its Atom feed in
German and English and writes them into the cache (``cache.set``); a withdrawn page gets the
``GONE`` marker instead, so its cached copy cannot outlive the withdrawal. A view serves the stored
bytes; only on a miss (evicted, a new deploy, a cold cache) does it read the database once and fill
the slot with ``cache.add``: a reader that read before a change committed never overwrites what the
change wrote. Unpublished pages are 404, and so is an unknown address (the marker is kept briefly).

The key carries a build stamp (the stylesheet's URL, which changes with the stylesheet under
ManifestStaticFilesStorage, and TEMPLATE_REVISION): after a deploy the old copies are not served.
Links in the page and the feed are absolute, from settings.SITE_URL (stable Atom ids).
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

#: Raise when the public template changes in a way the stylesheet does not.
TEMPLATE_REVISION = 2
LANGUAGES = ("de", "en")
KINDS = ("html", "atom")
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}
#: A rendered copy lives this long without a change (refreshed on every change anyway).
TIMEOUT = 24 * 3600
#: "Not published / unknown" is remembered this long (a publish overwrites it at once).
GONE_TIMEOUT = 60
GONE = b"-"


@functools.cache
def build_stamp() -> str:
    source = f"{static('css/statuspage.css')}|{static('css/portal.css')}|{TEMPLATE_REVISION}"
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def cache_key(slug: str, language: str, kind: str) -> str:
    return f"statuspage:{build_stamp()}:{slug}:{language}:{kind}"


def page_url(slug: str, language: str = "de") -> str:
    name = "statuspages:public_en" if language == "en" else "statuspages:public"
    return settings.SITE_URL + reverse(name, args=[slug])


def feed_url(slug: str, language: str = "de") -> str:
    name = "statuspages:feed_en" if language == "en" else "statuspages:feed"
    return settings.SITE_URL + reverse(name, args=[slug])


class _SiteRequest:
    """What the syndication framework asks of a request (host, scheme, path), from SITE_URL: the
    copy is rendered after a commit, outside any request, and links must not depend on who asked."""

    def __init__(self, path: str):
        parts = urlsplit(settings.SITE_URL)
        self._host, self._secure, self.path = parts.netloc, parts.scheme == "https", path

    def get_host(self) -> str:
        return self._host

    def is_secure(self) -> bool:
        return self._secure


class _StatusAtom(Atom1Feed):
    """Atom whose entries say they are German when the feed is not: the body writes its updates in
    German, the English feed translates only the portal's own words (WCAG 3.1.2, language of parts)."""

    def _foreign(self) -> bool:
        return not (self.feed["language"] or "").startswith("de")

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if self._foreign():
            attributes["xml:lang"] = "de"
        return attributes

    def add_root_elements(self, handler):
        # The subtitle is the body's German headline: Atom1Feed writes it without attributes, so it is
        # left out of the base class's elements and written here, marked German on a feed that is not.
        subtitle, self.feed["subtitle"] = self.feed["subtitle"], None
        try:
            super().add_root_elements(handler)
        finally:
            self.feed["subtitle"] = subtitle
        if subtitle:
            handler.addQuickElement("subtitle", subtitle, {"xml:lang": "de"} if self._foreign() else {})


class StatusFeed(Feed):
    """The page's updates as an Atom feed (newest first)."""

    feed_type = _StatusAtom

    def title(self, page):
        return _("Statusseite: %(name)s") % {"name": page.organisation.name}

    def subtitle(self, page):
        return page.headline  # the body's German text (_StatusAtom marks it)

    def link(self, page):
        return page_url(page.slug, translation.get_language())

    def feed_url(self, page):
        return feed_url(page.slug, translation.get_language())

    def feed_guid(self, page):
        return f"urn:uuid:{page.public_id}"

    def author_name(self, page):
        return page.organisation.name

    def items(self, page):
        return list(page.updates.all()[:50])

    def item_title(self, item):
        text = " ".join(item.text.split())
        return text if len(text) <= 80 else text[:79] + "…"

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return page_url(item.page.slug, translation.get_language()) + f"#meldung-{item.public_id}"

    def item_guid(self, item):
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.at


def render(page, language: str, kind: str) -> bytes:
    """The public copy of ``page`` (published) as bytes."""
    with translation.override(language):
        if kind == "atom":
            response = StatusFeed()
            feed = response.get_feed(page, _SiteRequest(reverse("statuspages:feed", args=[page.slug])))
            return feed.writeString("utf-8").encode()
        context = {
            "page": page,
            "organisation": page.organisation,
            "services": list(page.services.all()),
            "updates": list(page.updates.all()[:100]),
            "LANGUAGE_CODE": language,
            "other_language": "en" if language == "de" else "de",
            # Relative in the page (it works under any host name); absolute only in the feed.
            "other_url": reverse(
                "statuspages:public_en" if language == "de" else "statuspages:public", args=[page.slug]
            ),
            "feed_url": reverse("statuspages:feed_en" if language == "en" else "statuspages:feed", args=[page.slug]),
        }
        return render_to_string("statuspages/public.html", context).encode()


def _published(**lookup):
    from .models import PageState, StatusPage

    return (
        StatusPage.objects.select_related("organisation")
        .prefetch_related("services")
        .filter(state=PageState.PUBLISHED, **lookup)
        .first()
    )


def _slug_of(page_pk: int) -> str | None:
    from .models import StatusPage

    return StatusPage.objects.filter(pk=page_pk).values_list("slug", flat=True).first()


def refresh(page_pk: int) -> None:
    """After a change committed: write the new copies (or the GONE marker) into the cache."""
    page = _published(pk=page_pk)
    if page is None:
        slug = _slug_of(page_pk)
        if slug:
            cache.set_many({cache_key(slug, lang, kind): GONE for lang in LANGUAGES for kind in KINDS}, GONE_TIMEOUT)
        return
    cache.set_many(
        {cache_key(page.slug, lang, kind): render(page, lang, kind) for lang in LANGUAGES for kind in KINDS},
        TIMEOUT,
    )


def get(slug: str, language: str, kind: str) -> bytes | None:
    """The public copy, or None: not published (or no such page). No database query on a hit."""
    key = cache_key(slug, language, kind)
    body = cache.get(key)
    if body is None:
        page = _published(slug=slug)
        if page is None:
            cache.add(key, GONE, GONE_TIMEOUT)
            return None
        body = render(page, language, kind)
        cache.add(key, body, TIMEOUT)
    return None if body == GONE else body
