#!/usr/bin/env bash
# Validates docs/asyncapi.yaml with the AsyncAPI CLI and renders it to HTML; fails when the document has errors, when
# it does not render, or when the committed rendering docs/asyncapi/index.html no longer shows what the document
# says (regenerate it with: bash .ci/asyncapi.sh --write). The CLI and the HTML template are pinned and installed
# with npm under target/ (nothing global, no lock file in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."

CLI_VERSION=6.2.0
HTML_TEMPLATE_VERSION=3.5.6
TOOLS=target/asyncapi-cli
OUT=target/asyncapi-html

command -v npm >/dev/null || { echo "npm is missing: apt-get install npm (Debian)" >&2; exit 1; }
installed() { grep -qs "\"version\": \"$2\"" "$TOOLS/node_modules/$1/package.json"; }
if ! installed @asyncapi/cli "$CLI_VERSION" || ! installed @asyncapi/html-template "$HTML_TEMPLATE_VERSION"; then
  echo "== installing @asyncapi/cli $CLI_VERSION and @asyncapi/html-template $HTML_TEMPLATE_VERSION"
  mkdir -p "$TOOLS"
  echo '{"private": true}' > "$TOOLS/package.json"
  # the template can also print PDFs with a browser it would download: not needed for HTML
  PUPPETEER_SKIP_DOWNLOAD=true npm install --prefix "$TOOLS" --no-audit --no-fund --no-package-lock --loglevel=error \
    "@asyncapi/cli@$CLI_VERSION" "@asyncapi/html-template@$HTML_TEMPLATE_VERSION"
fi
# No usage reports leave the build (the CLI sends them unless its settings file says no).
echo '{"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "build"}' > "$TOOLS/analytics.json"
export ASYNCAPI_METRICS_CONFIG_PATH="$PWD/$TOOLS/analytics.json" SUPPRESS_NO_CONFIG_WARNING=1
asyncapi() { "$TOOLS/node_modules/.bin/asyncapi" "$@"; }

echo "== asyncapi validate docs/asyncapi.yaml"
asyncapi validate docs/asyncapi.yaml --fail-severity=warn

echo "== asyncapi generate fromTemplate (html-template $HTML_TEMPLATE_VERSION)"
rm -rf "$OUT"
asyncapi generate fromTemplate docs/asyncapi.yaml "$TOOLS/node_modules/@asyncapi/html-template" \
  -o "$OUT" -p singleFile=true --force-write --no-interactive
test -s "$OUT/index.html"

if [ "${1:-}" = "--write" ]; then
  mkdir -p docs/asyncapi
  cp "$OUT/index.html" docs/asyncapi/index.html
  echo "docs/asyncapi/index.html written"
  exit 0
fi

# The page embeds the parsed document (with the payload schemas resolved) as JSON: compare that, not the markup and
# scripts around it, which change with the template's build.
embedded() { awk '/const schema = /{on=1} /const config = /{on=0} on' "$1"; }
if [ -z "$(embedded "$OUT/index.html")" ] || [ "$(embedded "$OUT/index.html")" != "$(embedded docs/asyncapi/index.html)" ]; then
  echo "docs/asyncapi/index.html is out of date: run bash .ci/asyncapi.sh --write and commit it" >&2
  exit 1
fi
echo "docs/asyncapi/index.html matches docs/asyncapi.yaml"
