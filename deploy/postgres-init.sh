#!/bin/sh
# The compose database's first start (PostgreSQL's image runs it once, on an empty volume):
# the two roles of docs/deployment-database.md, neither a superuser.  The passwords come
# from the compose secrets; the URLs in secrets/database_url and secrets/owner_database_url
# must carry the same ones.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_pw="$(cat /run/secrets/owner_db_password)" \
    -v app_pw="$(cat /run/secrets/app_db_password)" <<'SQL'
CREATE ROLE bookwarden_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE bookwarden_app LOGIN PASSWORD :'app_pw';
CREATE DATABASE bookwarden OWNER bookwarden_owner;
REVOKE ALL ON DATABASE bookwarden FROM PUBLIC;
GRANT CONNECT ON DATABASE bookwarden TO bookwarden_app;
\connect bookwarden
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO bookwarden_owner;
SQL
