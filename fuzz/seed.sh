#!/usr/bin/env bash
# Seed the fuzz corpus: one bundle per project under fixtures/ and tests/cases/ (its iacgen.yaml,
# then every other file of the project but its output and README as a `#@ <path>` section; see tests/integration/common/pipeline.rs).
# Usage: fuzz/seed.sh [DIR]   (default fuzz/corpus/load_validate)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-fuzz/corpus/load_validate}
mkdir -p "$out"
for model in fixtures/*/*/iacgen.yaml tests/cases/*/iacgen.yaml; do
  dir=$(dirname "$model")
  name=$(echo "$dir" | tr '/' '-')
  {
    cat "$model"
    (cd "$dir" && find . -path ./deploy -prune -o -type f ! -name README.md -print |
      sed 's|^\./||' | { grep -vx iacgen.yaml || true; } | LC_ALL=C sort) | while read -r path; do
      printf '\n#@ %s\n' "$path"
      cat "$dir/$path"
    done
  } > "$out/seed-$name"
done
echo "seeded $(ls "$out" | wc -l) inputs into $out"
