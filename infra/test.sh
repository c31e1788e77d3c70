#!/bin/sh
# Infrastructure stage of scripts/test.sh: build what the stacks deploy, synthesize every stack
# offline and without credentials (cdk-nag's AwsSolutions pack runs during synthesis, and an
# unacknowledged finding fails it), then lint every template with cfn-lint. The assertion tests
# under test/infra run with the other jest tests.
set -eu
cd "$(dirname "$0")/.."
export CDK_DISABLE_CLI_TELEMETRY=1

echo "infra: building the Go workloads and the bot's Lambda bundles" >&2
sh workloads/scripts/build.sh >/dev/null
node scripts/bundle-lambdas.mjs

echo "infra: cdk synth" >&2
rm -rf infra/cdk.out
(cd infra && npx cdk synth --quiet --no-notices >/dev/null)

echo "infra: cfn-lint $(.venv/bin/cfn-lint --version)" >&2
# W3005 (a DependsOn that a GetAtt already implies) is CDK's deliberate belt and braces: every
# function lists its role next to the role's policy, so the policy exists before the function.
.venv/bin/cfn-lint --ignore-checks W3005 -- infra/cdk.out/*.template.json
echo "infra: templates synthesized and linted: $(ls infra/cdk.out/*.template.json | tr '\n' ' ')" >&2
