#!/bin/sh
# Run once by the postgres image, on an empty data volume: one role per user of the
# cluster, each with its password from a compose secret. Temporal creates its two
# databases itself (temporal/setup.sh schema); the certificate store gets its own.
set -eu

temporal_password=$(cat /run/secrets/temporal_db_password)
certorder_password=$(cat /run/secrets/certorder_db_password)

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_password="$temporal_password" -v certorder_password="$certorder_password" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE ROLE certorder LOGIN PASSWORD :'certorder_password';
CREATE DATABASE certorder OWNER certorder;
SQL
