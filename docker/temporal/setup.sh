#!/bin/sh
# One-shot setup jobs of the compose deployment, run in the temporalio/admin-tools image.
#   setup.sh schema      create or upgrade the Temporal databases (before the server starts)
#   setup.sh namespace   create the namespace and certorder's search attributes (after)
# Both are idempotent: `docker compose up` runs them on every start, and an upgrade of
# the server image only needs them to run again (update-schema applies what is new).
set -eu

schema() {
  SQL_PASSWORD=$(cat /run/secrets/temporal_db_password)
  export SQL_PASSWORD
  for db in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
    name=${db%%:*}
    dir=/etc/temporal/schema/postgresql/v12/${db#*:}/versioned
    sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
              -u "$POSTGRES_USER" --db "$name" "$@"; }
    sql create-database 2>/dev/null || echo "database $name exists"
    # setup-schema -v 0.0 only creates the version table; update-schema does the rest.
    sql setup-schema -v 0.0 2>/dev/null || echo "schema of $name is versioned already"
    sql update-schema -d "$dir"
  done
}

retry() {  # what, command...: a bounded wait for a cluster that is still settling
  what=$1; shift
  tries=0
  until "$@" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { echo "gave up waiting: $what" >&2; "$@"; exit 1; }
    sleep 2
  done
}

namespace() {
  # The server is up (healthcheck) but may still be joining its own ring.
  retry "Temporal at $TEMPORAL_ADDRESS to be healthy" temporal operator cluster health
  temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
  # A new namespace reaches the servers' namespace caches some seconds later.
  retry "namespace $NAMESPACE to be served" \
    temporal operator search-attribute list --namespace "$NAMESPACE"
  # Orders set these on their first workflow task; without them every order fails
  # there. NAME:TYPE as workflows/search_attributes.py registrations() gives them
  # (tests/deploy checks that the two agree).
  for attribute in CertificateOrderStatus:Keyword CertificateOrderSubStatus:Keyword \
                   CertificatePluginName:Keyword CertificateOrderNextAttempt:Datetime; do
    name=${attribute%%:*}
    if temporal operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$name"; then
      echo "search attribute $name exists"
    else
      temporal operator search-attribute create --namespace "$NAMESPACE" \
        --name "$name" --type "${attribute#*:}"
    fi
  done
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: $0 schema|namespace" >&2; exit 2 ;;
esac
