# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, in a layer of their own that is rebuilt only when pyproject.toml or constraints.txt
# change (not with every change of the code): the project's dependencies and its build requirements,
# read from pyproject.toml, pinned by constraints.txt.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(p['project']['dependencies'] + p['build-system']['requires']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
# Then the whole context (.dockerignore keeps out .env, .git, .venv, var/): every app the package lists must be
# there when pip builds it (copying only some apps left the newer ones out of the installed package). Only the
# package itself is built here, from what the layer above installed (no download, no dependency resolved again).
COPY . .
RUN pip install --no-cache-dir --no-deps --no-build-isolation .
RUN useradd --system --uid 1000 digisos && mkdir -p /app/var /data/media /data/audit && chown -R digisos /app/var /data
USER digisos
RUN DEBUG=1 python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "digisos.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
