"""German first: the language is German unless the user chose English in the portal."""

from django.conf import settings
from django.utils import translation


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
