# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The whole context (.dockerignore keeps out .env, .git, .venv, var/): every app the package lists must be there
# when pip builds it (copying only some apps left the newer ones out of the installed package).
COPY . .
RUN pip install --no-cache-dir -c constraints.txt .
RUN useradd --system --uid 1000 digisos && mkdir -p /app/var /data/media /data/audit && chown -R digisos /app/var /data
USER digisos
RUN DEBUG=1 python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "digisos.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
