import { parse } from 'yaml';

export interface AppSpecVersions {
  functionName: string | undefined;
  alias: string | undefined;
  currentVersion: string | undefined;
  targetVersion: string | undefined;
}

const none: AppSpecVersions = {
  functionName: undefined,
  alias: undefined,
  currentVersion: undefined,
  targetVersion: undefined,
};

/**
 * The versions a Lambda deployment moves the alias between, from its AppSpec (YAML or JSON; YAML
 * reads both):
 *
 *   Resources:
 *     - myFunction:
 *         Type: AWS::Lambda::Function
 *         Properties: { Name: orders-api, Alias: live, CurrentVersion: "41", TargetVersion: "42" }
 *
 * Anything unreadable yields undefined fields rather than an error: the deployment still counts.
 */
export function readAppSpec(content: string | undefined): AppSpecVersions {
  if (!content) return none;
  let doc: unknown;
  try {
    doc = parse(content);
  } catch {
    return none;
  }
  const resources = record(doc)?.Resources;
  const list = Array.isArray(resources) ? resources : resources ? [resources] : [];
  for (const entry of list) {
    for (const resource of Object.values(record(entry) ?? {})) {
      const r = record(resource);
      if (!r || (r.Type !== undefined && r.Type !== 'AWS::Lambda::Function')) continue;
      const props = record(r.Properties);
      if (!props) continue;
      return {
        functionName: text(props.Name),
        alias: text(props.Alias),
        currentVersion: text(props.CurrentVersion),
        targetVersion: text(props.TargetVersion),
      };
    }
  }
  return none;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Versions are often unquoted in YAML and read as numbers. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (typeof value === 'number') return String(value);
  return undefined;
}
