#!/bin/sh
# Create the secrets of docker/compose.yaml in docker/secrets/ (once; existing files
# are kept, so running it again never changes a password the database already uses).
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets

new_secret() {  # name, value: write only if missing
  [ -s "secrets/$1" ] || printf '%s\n' "$2" > "secrets/$1"
}
random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

new_secret postgres_password "$(random)"
new_secret temporal_db_password "$(random)"
new_secret certorder_db_password "$(random)"
new_secret local_ca_passphrase "$(random)"
# Payload encryption (certorder.codec): key id -> base64 of 32 random bytes, JSON.
new_secret payload_keys "{\"$(date +%Y-%m)\": \"$(head -c 32 /dev/urandom | base64)\"}"
# The key-encryption key of the workers' key store (docs/keys.md): base64 of 32 bytes.
# Losing it loses every stored private key: back it up apart from the database.
new_secret kek "$(head -c 32 /dev/urandom | base64)"
# The worker reads its store URL whole; it embeds the certorder role's password.
new_secret certorder_store_url \
  "postgresql://certorder:$(cat secrets/certorder_db_password)@postgres:5432/certorder"
echo "secrets in $(pwd)/secrets: back them up with the database (docker/README.md)"
