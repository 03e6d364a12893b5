#!/usr/bin/env bash
# Run the contractgate gate in any CI system.
#
#   ci/gate.sh [GATE OPTIONS...]      e.g. ci/gate.sh --base origin/main
#
# Installs what is missing (contractgate into ./.contractgate-venv, Mountebank with
# npm), runs `contractgate gate`, and leaves reports in $CONTRACTGATE_REPORTS
# (default: reports/): junit.xml, gate.json, summary.md, index.html.
# Exit code: 0 passed, 1 a contract failed, 2 bad input, 3 a tool or server failed.
#
# Environment:
#   CONTRACTGATE_INSTALL  pip requirement to install contractgate from when it is not
#                         on PATH, e.g. "git+https://git.example.com/tools/contractgate.git@v0.1.0"
#                         or "." in contractgate's own repository (contractgate is not
#                         published on PyPI, so there is no default)
#   CONTRACTGATE_PYTHON   python to create the virtualenv with (default: python3)
#   CONTRACTGATE_REPORTS  report folder (default: reports)
#   MOUNTEBANK_VERSION    npm version of mountebank if the project has none (2.9.1)
set -euo pipefail

export PACT_DO_NOT_TRACK=true
reports="${CONTRACTGATE_REPORTS:-reports}"
venv="${CONTRACTGATE_VENV:-.contractgate-venv}"

if ! command -v contractgate >/dev/null 2>&1; then
  if [ ! -x "$venv/bin/contractgate" ]; then
    if [ -z "${CONTRACTGATE_INSTALL:-}" ]; then
      echo "error: contractgate is not installed and CONTRACTGATE_INSTALL is not set" \
        "(set it to a pip requirement, e.g. git+https://git.example.com/tools/contractgate.git@v0.1.0)" >&2
      exit 3
    fi
    "${CONTRACTGATE_PYTHON:-python3}" -m venv "$venv"
    constraints=()
    [ -f constraints.txt ] && constraints=(-c constraints.txt)
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "${constraints[@]}" "$CONTRACTGATE_INSTALL"
  fi
  PATH="$PWD/$venv/bin:$PATH"
fi

if [ ! -x node_modules/.bin/mb ]; then
  if [ -f package-lock.json ] && grep -q '"node_modules/mountebank"' package-lock.json; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  else
    npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
      "mountebank@${MOUNTEBANK_VERSION:-2.9.1}"
  fi
fi

status=0
contractgate gate --reports "$reports" "$@" || status=$?

# A CI step summary where the CI system offers one (GitHub Actions).
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$reports/summary.md" ]; then
  cat "$reports/summary.md" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
