#!/bin/sh
# The image's entry point: `certorder "$@"`, with secrets turned into settings.
#
# Compose (and Kubernetes) hand secrets over as files, never as environment
# variables, so that `docker inspect` and /proc/<pid>/environ of other containers do
# not show them. Every file in the secrets directory whose name is a CERTORDER_*
# variable (CERTORDER_STORE_URL, CERTORDER_LOCAL_CA_PASSPHRASE, ...) becomes that
# variable for this process only; a variable already set explicitly wins.
set -eu

secrets_dir=${CERTORDER_SECRETS_DIR:-/run/secrets}
if [ -d "$secrets_dir" ]; then
  for file in "$secrets_dir"/CERTORDER_*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    case $name in *[!A-Z0-9_]*) continue ;; esac
    if eval "[ -z \"\${$name+set}\" ]"; then
      # Secret files usually end with a newline that is not part of the value.
      value=$(cat "$file")
      export "$name=$value"
    fi
  done
fi
exec certorder "$@"
