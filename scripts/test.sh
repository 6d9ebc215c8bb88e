#!/usr/bin/env bash
# The whole test suite: what `npm test` and CI run. Every step must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 SCARF_ANALYTICS=false

step() { printf '\n== %s\n' "$*"; }

step "type-check (tsc --noEmit, strict)"
npx tsc --noEmit -p tsconfig.json

step "alert rules, promtool/amtool checks, compose validation"
npm run --silent alerts:check

step "dashboards: committed JSON equals the generator's output"
npm run --silent dashboards:check

step "Kubernetes manifests: committed deploy/kubernetes equals the generator's output (every object schema-validated)"
npm run --silent manifests:check

step "jest: unit, model, API (real model), server process, dashboards, deploy (kubectl kustomize), e2e (real Prometheus + Alertmanager)"
npx jest --ci "$@"
