#!/usr/bin/env bash
# iacgen's GitHub Action, step "check and comment" (action.yml calls it; tests/integration/team_tools.rs runs
# it with a fake event payload and a fake `gh` on PATH).
#
# 1. `iacgen check --format github`: drift and model errors become annotations (file paths made
#    relative to the repository, since the project may sit in a sub-folder).
# 2. On a pull request, when IACGEN_COMMENT is true: `iacgen diff --base <base sha> --format
#    markdown`, posted as one comment that later runs edit in place (found by a hidden marker that
#    names the project folder, so several projects in one repository get one comment each). The
#    diff is also appended to the job summary, which works where the token cannot comment (forks).
# 3. Exit with check's status: the job fails on drift even when the comment was posted.
#
# Environment: IACGEN_WORKING_DIRECTORY (default .), IACGEN_ENVIRONMENTS and IACGEN_TARGETS (names
# separated by spaces or commas), IACGEN_COMMENT (true|false), and the runner's GITHUB_EVENT_NAME,
# GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_STEP_SUMMARY; GH_TOKEN for gh.
set -uo pipefail

dir=${IACGEN_WORKING_DIRECTORY:-.}
limit=65536
marker="<!-- iacgen-diff: ${dir} -->"

filters=()
environments=${IACGEN_ENVIRONMENTS:-}
targets=${IACGEN_TARGETS:-}
for name in ${environments//,/ }; do filters+=(--env "$name"); done
for name in ${targets//,/ }; do filters+=(--target "$name"); done

if ! cd "$dir"; then
    echo "::error title=iacgen::working-directory \`$dir\` does not exist"
    exit 2
fi
prefix=$(git rev-parse --show-prefix 2>/dev/null || true)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

status=0
iacgen check --format github ${filters[@]+"${filters[@]}"} >"$scratch/check" || status=$?
# Annotations name files relative to the project; GitHub resolves them from the repository's top.
sed -E "s#^(::(error|warning|notice) file=)#\\1${prefix//#/\\#}#" "$scratch/check"

pull_request=false
case "${GITHUB_EVENT_NAME:-}" in pull_request | pull_request_target) pull_request=true ;; esac
if [ "${IACGEN_COMMENT:-true}" != true ] || [ "$pull_request" != true ]; then
    exit "$status"
fi

number=$(jq -r '.pull_request.number' "${GITHUB_EVENT_PATH:?}")
base=$(jq -r '.pull_request.base.sha' "$GITHUB_EVENT_PATH")
if ! git cat-file -e "${base}^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet origin "$base" || true
fi

body="$scratch/comment.md"
echo "$marker" >"$body"
if ! iacgen diff --base "$base" --diff-format markdown ${filters[@]+"${filters[@]}"} >>"$body"; then
    echo "::warning title=iacgen::\`iacgen diff --base $base\` failed; no comment posted"
    exit "$status"
fi
# iacgen keeps its Markdown under GitHub's limit; the marker must not push it over.
if [ "$(LC_ALL=C.UTF-8 wc -m <"$body")" -gt "$limit" ]; then
    head -c $((limit - 400)) "$body" | iconv -f UTF-8 -t UTF-8 -c >"$scratch/cut.md"
    printf '\n\n_Cut to stay under GitHub'"'"'s 65,536-character limit; run `iacgen diff` locally for all of it._\n' >>"$scratch/cut.md"
    mv "$scratch/cut.md" "$body"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    tail -n +2 "$body" >>"$GITHUB_STEP_SUMMARY"
fi

repo=${GITHUB_REPOSITORY:?}
starts=$(jq -Rn --arg marker "$marker" '$marker')
existing=$(gh api --paginate "repos/$repo/issues/$number/comments" \
    --jq ".[] | select(.body | startswith($starts)) | .id" | head -n 1)
if [ -n "$existing" ]; then
    gh api --method PATCH "repos/$repo/issues/comments/$existing" -F "body=@$body" >/dev/null
else
    gh api --method POST "repos/$repo/issues/$number/comments" -F "body=@$body" >/dev/null
fi || echo "::warning title=iacgen::could not post the pull-request comment (a pull request from a fork has a read-only token); the diff is in the job summary"
exit "$status"
