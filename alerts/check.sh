#!/usr/bin/env bash
# Static checks of the alerting and monitoring configuration, with the real tools (Debian: `apt-get install
# prometheus prometheus-alertmanager`; also docker-compose for the compose file). Exits non-zero on any failure.
#   1. alerts/rules/*.yml equal what alerts/generate.ts writes (objectives live in observability/config.ts)
#   2. promtool check rules / promtool test rules (unit tests for every alert, alerts/tests)
#   3. promtool check config on monitoring/prometheus.yml (also loads the rule files it names)
#   4. amtool check-config on alerts/alertmanager.yml, and its routing: critical -> page, warning -> ticket,
#      info -> null
#   5. docker compose config validation of docker-compose.yml (no engine needed)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "alerts/check.sh: $*" >&2; exit 1; }
for tool in promtool amtool; do
  command -v "$tool" >/dev/null || fail "$tool not found: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager"
done

echo "== alert rules match their generator (alerts/src)"
npx tsx alerts/generate.ts --check

echo "== promtool check rules"
promtool check rules alerts/rules/*.yml

echo "== promtool test rules"
promtool test rules alerts/tests/*.test.yml

echo "== promtool check config monitoring/prometheus.yml"
promtool check config monitoring/prometheus.yml

echo "== amtool check-config alerts/alertmanager.yml"
amtool check-config alerts/alertmanager.yml

echo "== Alertmanager routing by severity"
route() {
  local expected=$1; shift
  amtool config routes test --config.file=alerts/alertmanager.yml --verify.receivers="$expected" "$@" 2>/dev/null \
    || fail "labels [$*] should route to '$expected', got: $(amtool config routes test --config.file=alerts/alertmanager.yml "$@" 2>/dev/null)"
  echo "  $* -> $expected"
}
route page severity=critical alertname=ModeratorTargetDown job=content-moderator
route ticket severity=warning alertname=ModeratorFlaggedShareSpike job=content-moderator
route null severity=info alertname=Example job=content-moderator
route null alertname=NoSeverity

echo "== docker compose config (docker-compose.yml)"
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config --quiet
elif command -v docker-compose >/dev/null; then
  docker-compose -f docker-compose.yml config --quiet
else
  fail "neither 'docker compose' nor 'docker-compose' found: apt-get install -y --no-install-recommends docker-compose"
fi

echo "alerts/check.sh: all checks passed"
