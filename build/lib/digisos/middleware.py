"""German first: the language is German unless the user chose English in the portal."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from django.utils.translation import gettext as _


class GermanFirstLocaleMiddleware:
    """Like LocaleMiddleware, but ignores the browser's Accept-Language: these users work in
    German, and a browser set to English must not switch a stressed caller's form. The language
    switcher sets the cookie that this middleware honours."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.setdefault("Vary", "Cookie")
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT seconds without a request, and in any case
    SESSION_ABSOLUTE_TIMEOUT seconds after it started (a stolen session cookie ages out)."""

    STARTED, SEEN = "digisos_session_started", "digisos_session_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(self.STARTED, now)
            seen = request.session.get(self.SEEN, now)
            if now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, _("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."))
                return redirect_to_login(request.get_full_path())
            # Write the stamps only when they change (the start once, the activity stamp at most once
            # a minute): assigning marks the session modified, and every request would write it.
            if self.STARTED not in request.session:
                request.session[self.STARTED] = started
            if now - seen >= 60 or self.SEEN not in request.session:
                request.session[self.SEEN] = now
        return self.get_response(request)
