#!/usr/bin/env bash
# The script of the connver GitHub action (action.yml): audit the pull request against its merge
# base, as GitHub annotations plus the full markdown report in the step summary.
# Inputs come as environment variables (CONNVER_BASE, CONNVER_HEAD, CONNVER_FAIL_ON, CONNVER_PATHS,
# CONNVER_STRICT, CONNVER_ARGS); GitHub sets GITHUB_BASE_REF on pull requests.
set -euo pipefail

base="${CONNVER_BASE:-}"
if [ -z "$base" ]; then
  if [ -z "${GITHUB_BASE_REF:-}" ]; then
    echo "::error title=connver::no base to compare with: set the action's base input (this is not a pull request)"
    exit 2
  fi
  base="origin/${GITHUB_BASE_REF}"
fi
if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  # a shallow checkout: fetch the base branch (the merge base needs history: fetch-depth: 0)
  git fetch --no-tags --quiet origin "+refs/heads/${base#origin/}:refs/remotes/origin/${base#origin/}"
fi

args=(audit --merge-base "${base}...${CONNVER_HEAD:-HEAD}" --format github)
if [ -n "${CONNVER_FAIL_ON:-}" ]; then args+=(--fail-on "$CONNVER_FAIL_ON"); fi
if [ "${CONNVER_STRICT:-false}" = "true" ]; then args+=(--strict); fi
for path in ${CONNVER_PATHS:-}; do args+=(--path "$path"); done
# shellcheck disable=SC2206 # extra arguments, split on spaces on purpose
extra=(${CONNVER_ARGS:-})
exec connver "${args[@]}" "${extra[@]}"
