#!/bin/sh
# Infrastructure stage of scripts/test.sh: build what the stacks deploy, synthesize every stack
# offline and without credentials (cdk-nag's AwsSolutions pack runs during synthesis, and an
# unacknowledged finding fails it), then check every template three ways, each tool once over
# all templates: cfn-lint (resource schemas), parliament (every IAM statement against AWS's
# action, resource and condition-key database: tools/iam_check.py) and checkov (security
# checks; every skip is written into the resource's Metadata with its reason). The assertion
# tests under test/infra run with the other jest tests.
set -eu
cd "$(dirname "$0")/.."
export CDK_DISABLE_CLI_TELEMETRY=1

echo "infra: building the Go workloads and the bot's Lambda bundles" >&2
sh workloads/scripts/build.sh >/dev/null
node scripts/bundle-lambdas.mjs

echo "infra: cdk synth" >&2
rm -rf infra/cdk.out
# The defaults, not a gofn.config.json that may sit in the checkout: the same templates everywhere.
# memberStack=true adds GofnMember, which `npm run deploy` leaves out (each managed account deploys it).
(cd infra && npx cdk synth --quiet --no-notices -c memberStack=true >/dev/null)
templates=$(ls infra/cdk.out/*.template.json)

echo "infra: cfn-lint $(.venv/bin/cfn-lint --version)" >&2
# W3005 (a DependsOn that a GetAtt already implies) is CDK's deliberate belt and braces: every
# function lists its role next to the role's policy, so the policy exists before the function.
.venv/bin/cfn-lint --ignore-checks W3005 -- $templates

echo "infra: parliament $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("parliament"))')" >&2
.venv/bin/python tools/iam_check.py $templates >&2

echo "infra: checkov $(.venv/checkov/bin/checkov --version)" >&2
# --skip-download: offline, no platform account; skips come from the templates' Metadata.
checks=$(for t in $templates; do printf -- '-f %s ' "$t"; done)
# shellcheck disable=SC2086
.venv/checkov/bin/checkov $checks --framework cloudformation --compact --quiet --skip-download \
  --output cli >infra/cdk.out/checkov.txt 2>&1 || { cat infra/cdk.out/checkov.txt >&2; exit 1; }
grep -E 'Passed checks' infra/cdk.out/checkov.txt | sed 's/^/infra: checkov: /' >&2
echo "infra: templates synthesized and checked: $(echo $templates | tr '\n' ' ')" >&2
