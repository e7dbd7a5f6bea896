#!/usr/bin/env bash
# Regenerates src/api/schema.d.ts from the Python app's OpenAPI document (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-../.venv/bin/python}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$PYTHON" -c 'import json, sys
from raypx.api.app import create_app
from raypx.settings import Settings
json.dump(create_app(Settings()).openapi(), sys.stdout, indent=2, sort_keys=True)' > "$out/openapi.json"
npx --no-install openapi-typescript "$out/openapi.json" -o src/api/schema.d.ts >/dev/null
