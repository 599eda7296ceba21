#!/usr/bin/env bash
# iacgen's GitHub Action, step "cache key": prints `key=<hash>` for $GITHUB_OUTPUT, a hash of every
# file the iacgen binary is built from, in the action's own checkout (the action's ref). Two refs
# with the same sources share one cached binary; a moved branch gets a new one.
set -euo pipefail
cd "${1:-${GITHUB_ACTION_PATH:?the action path}}"
hash=$(
    find Cargo.toml Cargo.lock build.rs src targets modules schema fixtures/ok/example/iacgen.yaml -type f -print0 \
        | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum
)
echo "key=${hash:0:32}"
