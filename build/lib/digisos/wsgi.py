import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.base")
application = get_wsgi_application()

# Import the URL conf (and with it every view module, WeasyPrint included: about 3 s of CPU) when the
# worker starts, not in its first request: after a deploy or a restart during an incident, each new
# gunicorn worker would otherwise make its first requests wait for it (bench/load_mass_incident.py).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
