"""Checks every IAM statement of synthesized CloudFormation templates with parliament.

    .venv/bin/python tools/iam_check.py infra/cdk.out/*.template.json

Each statement of every identity policy (AWS::IAM::Policy, inline role policies, managed
policies) and resource policy (SNS topic, SQS queue and KMS key policies) is checked on its own
against parliament's database of actions, resource types and condition keys (the Service
Authorization Reference, bundled with the package, so the check runs offline): an action that
does not exist, a resource ARN its action cannot apply to (which AWS answers with AccessDenied),
a condition key the action does not support, a malformed statement. CloudFormation intrinsics
are resolved to ARNs of the right shape first, so a `Fn::GetAtt [Queue, Arn]` is checked as a
queue ARN.

Findings listed in ACCEPTED, each with its reason, are reported but do not fail the check; any
other finding does (exit status 1). The summary line says how many statements were checked.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any, Iterator

from parliament import analyze_policy_string

PARTITION, REGION, ACCOUNT, URL_SUFFIX = "aws", "eu-west-1", "111122223333", "amazonaws.com"


def is_default_key_policy(statement: dict[str, Any]) -> bool:
    """CDK's (and AWS's) default key policy statement: the account root may use and manage the key."""
    principal = statement.get("Principal", {})
    return statement.get("Action") == "kms:*" and str(principal.get("AWS", "")).endswith(f":iam::{ACCOUNT}:root")


# (finding issue, which statements) -> why the finding does not apply there. Keep each reason a
# sentence a reviewer can check against the AWS documentation.
ACCEPTED_WHEN: list[tuple[str, Any, str]] = [
    (
        "RESOURCE_MISMATCH",
        is_default_key_policy,
        "the default key policy (AWS KMS developer guide, 'Default key policy') gives the account "
        "kms:* on the key, so that IAM policies decide who uses it; the account-level KMS actions "
        "in kms:* simply do not apply to a key",
    ),
]

# (finding issue, statement Sid or "*") -> why the finding does not apply.
ACCEPTED: dict[tuple[str, str], str] = {
    # parliament's database ties logs:GetQueryResults to a log group, but the request carries only
    # a query ID; the grant that limits which groups are queried is logs:StartQuery.
    ("RESOURCE_STAR", "ReadMonitoring"): (
        "logs:GetQueryResults takes only a query ID, so no log-group ARN can match it; "
        "StartQuery is the call limited to Lambda's log groups"
    ),
}

# Only these resource types carry policies parliament can read.
IDENTITY = {"AWS::IAM::Policy": "PolicyDocument", "AWS::IAM::ManagedPolicy": "PolicyDocument"}
RESOURCE = {
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
}


def arn(service: str, resource: str) -> str:
    return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{resource}"


def fake_attribute(resources: dict[str, Any], logical_id: str, attribute: str) -> str:
    """A value of the right shape for Ref or Fn::GetAtt of a resource of the template."""
    kind = resources.get(logical_id, {}).get("Type", "")
    name = logical_id.lower()
    shapes = {
        "AWS::SQS::Queue": {"Arn": arn("sqs", name), "QueueName": name, "Ref": f"https://sqs/{name}"},
        "AWS::SNS::Topic": {"Ref": arn("sns", name), "TopicArn": arn("sns", name), "TopicName": name},
        "AWS::Lambda::Function": {"Arn": arn("lambda", f"function:{name}"), "Ref": name},
        "AWS::Lambda::Alias": {"Ref": arn("lambda", f"function:{name}:live")},
        "AWS::Lambda::Version": {"Ref": arn("lambda", f"function:{name}:1"), "Version": "1"},
        "AWS::DynamoDB::Table": {"Arn": arn("dynamodb", f"table/{name}"), "Ref": name},
        "AWS::KMS::Key": {"Arn": f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{name}", "Ref": name},
        "AWS::Logs::LogGroup": {"Arn": arn("logs", f"log-group:{name}:*"), "Ref": name},
        "AWS::SecretsManager::Secret": {"Ref": arn("secretsmanager", f"secret:{name}-AbCdEf")},
        "AWS::IAM::Role": {"Arn": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}", "Ref": name},
        "AWS::CodeDeploy::Application": {"Ref": name},
        "AWS::CodeDeploy::DeploymentGroup": {"Ref": name},
        "AWS::ApiGatewayV2::Api": {"Ref": name},
    }
    by_attribute = shapes.get(kind, {})
    if attribute in by_attribute:
        return by_attribute[attribute]
    return name


PSEUDO = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": URL_SUFFIX,
    "AWS::StackName": "stack",
}


# Export name or output name -> (the template's resources, the value), for Fn::ImportValue and
# Fn::GetStackOutput (how CDK's weak cross-stack references read another stack's outputs).
EXPORTS: dict[str, tuple[dict[str, Any], Any]] = {}
OUTPUTS: dict[str, tuple[dict[str, Any], Any]] = {}


def resolve(value: Any, resources: dict[str, Any]) -> Any:
    """CloudFormation intrinsics replaced by plausible literal values."""
    if isinstance(value, list):
        return [resolve(v, resources) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return PSEUDO.get(arg) or fake_attribute(resources, arg, "Ref")
        if key == "Fn::GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return fake_attribute(resources, logical_id, attribute)
        if key == "Fn::Join":
            separator, parts = arg
            return separator.join(str(resolve(p, resources)) for p in parts)
        if key == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            for name, literal in PSEUDO.items():
                text = text.replace("${" + name + "}", literal)
            return text
        if key == "Fn::Select":
            index, items = arg
            return resolve(items, resources)[int(index)]
        if key == "Fn::Split":
            separator, text = arg
            return str(resolve(text, resources)).split(separator)
        if key == "Fn::ImportValue":
            exporter, exported = EXPORTS[resolve(arg, resources)]
            return resolve(exported, exporter)
        if key == "Fn::GetStackOutput":
            exporter, exported = OUTPUTS[arg["OutputName"]]
            return resolve(exported, exporter)
    return {k: resolve(v, resources) for k, v in value.items()}


@dataclass
class Statement:
    template: str
    logical_id: str
    sid: str
    document: dict[str, Any]


def load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        template = json.load(f)
    for output_name, output in template.get("Outputs", {}).items():
        OUTPUTS[output_name] = (template.get("Resources", {}), output["Value"])
        name = output.get("Export", {}).get("Name")
        if name:
            EXPORTS[name if isinstance(name, str) else json.dumps(name)] = (template.get("Resources", {}), output["Value"])
    return template


def statements(path: str, template: dict[str, Any]) -> Iterator[Statement]:
    resources = template.get("Resources", {})
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        props = resource.get("Properties", {})
        documents = []
        if kind in IDENTITY:
            documents.append(props.get(IDENTITY[kind]))
        elif kind in RESOURCE:
            documents.append(props.get(RESOURCE[kind]))
        elif kind == "AWS::IAM::Role":
            documents.extend(p.get("PolicyDocument") for p in props.get("Policies", []))
        for document in documents:
            if not document:
                continue
            resolved = resolve(document, resources)
            listed = resolved.get("Statement", [])
            for i, statement in enumerate(listed if isinstance(listed, list) else [listed]):
                if kind == "AWS::KMS::Key" and statement.get("Resource") == "*":
                    # In a key policy "*" means the key itself (AWS KMS developer guide, "Key
                    # policies"): check the statement against the key's own ARN.
                    statement = {**statement, "Resource": fake_attribute(resources, logical_id, "Arn")}
                yield Statement(
                    template=path,
                    logical_id=logical_id,
                    sid=statement.get("Sid", f"#{i}"),
                    document={"Version": "2012-10-17", "Statement": [statement]},
                )


def main(paths: list[str]) -> int:
    checked = failed = accepted = 0
    templates = {path: load(path) for path in paths}
    for path, template in templates.items():
        for st in statements(path, template):
            checked += 1
            policy = analyze_policy_string(json.dumps(st.document))
            for finding in policy.findings:
                where = f"{path} {st.logical_id} {st.sid}"
                statement = st.document["Statement"][0]
                reason = ACCEPTED.get((finding.issue, st.sid)) or next(
                    (why for issue, applies, why in ACCEPTED_WHEN if issue == finding.issue and applies(statement)),
                    None,
                )
                if reason:
                    accepted += 1
                    detail = str(finding.detail)
                    detail = detail if len(detail) <= 100 else detail[:97] + "..."
                    print(f"iam-check: accepted {finding.issue} in {where} ({detail}): {reason}")
                    continue
                failed += 1
                print(f"iam-check: {finding.issue} in {where}: {finding.detail}")
    print(
        f"iam-check: {checked} statements in {len(paths)} templates checked with parliament; "
        f"{failed} findings, {accepted} accepted with a reason"
    )
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
