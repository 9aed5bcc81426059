# Bookwarden's container image: docs/deployment.md ("In containers") and compose.yaml.
#   docker build -t bookwarden .
#   docker run ... bookwarden web|jobs|migrate|<any bookwarden command>
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# psql for the app role's grants after migrate; pg_dump for backups (PostgreSQL 15's).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system bookwarden \
    && useradd --system --gid bookwarden --home-dir /srv/bookwarden --shell /usr/sbin/nologin bookwarden

WORKDIR /srv/bookwarden

# The locked dependencies, every one checked against its hash.
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md manage.py ./
COPY bookwarden ./bookwarden
RUN pip install --no-deps . \
    && rm -rf build bookwarden.egg-info

# Static files, fingerprinted and compressed, outside the data volume (a throwaway key:
# nothing is signed at build time).
ENV BOOKWARDEN_STATIC_ROOT=/opt/bookwarden-static
RUN BOOKWARDEN_PRODUCTION=1 ALLOWED_HOSTS=build.invalid BOOKWARDEN_DATA_DIR=/tmp/build-data \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(60))')" \
    bookwarden collectstatic --noinput -v 0 \
    && rm -rf /tmp/build-data

COPY deploy/entrypoint.sh /usr/local/bin/bookwarden-entrypoint
COPY deploy/healthcheck.py /usr/local/bin/bookwarden-healthcheck
RUN chmod 0755 /usr/local/bin/bookwarden-entrypoint /usr/local/bin/bookwarden-healthcheck \
    && install -d -o bookwarden -g bookwarden -m 0750 /var/lib/bookwarden

ENV BOOKWARDEN_PRODUCTION=1 \
    BOOKWARDEN_DATA_DIR=/var/lib/bookwarden \
    BOOKWARDEN_BEHIND_TLS_PROXY=1 \
    BOOKWARDEN_BIND=0.0.0.0:8000

USER bookwarden
VOLUME ["/var/lib/bookwarden"]
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/bookwarden-entrypoint"]
CMD ["web"]
