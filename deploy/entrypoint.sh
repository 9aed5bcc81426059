#!/bin/sh
# Bookwarden's entry point: in the container (Dockerfile) and under systemd (deploy/*.service).
#
#   entrypoint.sh web [serve options]   migrate, then serve (gunicorn: bookwarden serve)
#   entrypoint.sh jobs [run options]    migrate, then the job loop (bookwarden jobs run)
#   entrypoint.sh migrate               migrate, then exit
#   entrypoint.sh COMMAND [args]        any other bookwarden command (setup, audit, ...)
#
# Migrations run as the database's owner when MIGRATE_DATABASE_URL (or
# MIGRATE_DATABASE_URL_FILE) is set, followed by the app role's grants
# (docs/deployment-database.md; the role is BOOKWARDEN_APP_ROLE, bookwarden_app by default);
# otherwise with DATABASE_URL (SQLite, or a single role).
set -eu

migrate() {
    owner_url=""
    if [ -n "${MIGRATE_DATABASE_URL_FILE:-}" ]; then
        owner_url=$(cat "$MIGRATE_DATABASE_URL_FILE")
    elif [ -n "${MIGRATE_DATABASE_URL:-}" ]; then
        owner_url=$MIGRATE_DATABASE_URL
    fi
    if [ -n "$owner_url" ]; then
        DATABASE_URL="$owner_url" DATABASE_URL_FILE="" bookwarden migrate --noinput
        DATABASE_URL="$owner_url" DATABASE_URL_FILE="" \
            bookwarden audit grants --app-role "${BOOKWARDEN_APP_ROLE:-bookwarden_app}" \
            | psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 "$owner_url" >/dev/null
    else
        bookwarden migrate --noinput
    fi
}

role=${1:-web}
[ $# -gt 0 ] && shift

case "$role" in
    web)
        migrate
        exec bookwarden serve "$@"
        ;;
    jobs)
        migrate
        exec bookwarden jobs run "$@"
        ;;
    migrate)
        migrate
        ;;
    *)
        exec bookwarden "$role" "$@"
        ;;
esac
