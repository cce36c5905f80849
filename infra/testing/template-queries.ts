// Small readers over a synthesized template, shared by the infra tests (test/unit/infra-*.test.ts).
import type { Template } from 'aws-cdk-lib/assertions';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface ContainerDefinition {
  Name: string;
  Image: unknown;
  Command?: string[];
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  PortMappings?: { ContainerPort: number; HostPort?: number; Protocol?: string }[];
  HealthCheck?: { Command: string[] };
  Links?: string[];
  LogConfiguration?: { LogDriver: string; Options: Record<string, unknown> };
  Essential?: boolean;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function resources(template: Template, type: string): [string, CfnResource][] {
  const all = template.toJSON().Resources as Record<string, CfnResource>;
  return Object.entries(all).filter(([, r]) => r.Type === type);
}

/** The task definition whose container list has one named `containerName`. */
export function taskDefinitionWith(template: Template, containerName: string): Record<string, unknown> {
  const found = resources(template, 'AWS::ECS::TaskDefinition').filter(([, r]) =>
    (r.Properties?.ContainerDefinitions as ContainerDefinition[]).some((c) => c.Name === containerName),
  );
  if (found.length !== 1) throw new Error(`expected one task definition with container ${containerName}, found ${found.length}`);
  return found[0]![1].Properties!;
}

export function container(template: Template, name: string): ContainerDefinition {
  const defs = taskDefinitionWith(template, name).ContainerDefinitions as ContainerDefinition[];
  return defs.find((c) => c.Name === name)!;
}

/** Environment as a map; intrinsic values (Ref, Fn::Join…) are kept as objects. */
export function environmentOf(c: ContainerDefinition): Record<string, unknown> {
  return Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, e.Value]));
}

/** Every statement of the IAM policies whose logical id starts with `prefix`. */
export function statementsOf(template: Template, prefix: string): PolicyStatement[] {
  return resources(template, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, r]) => (r.Properties!.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
}

export function actionsOf(s: PolicyStatement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

export function statementWithAction(statements: PolicyStatement[], action: string): PolicyStatement {
  const found = statements.filter((s) => actionsOf(s).includes(action));
  if (found.length !== 1) throw new Error(`expected one statement with ${action}, found ${found.length}`);
  return found[0]!;
}

/** Intrinsic values replaced by plausible strings, so an environment can go through the manager's config parser. */
export function withPlaceholders(env: Record<string, unknown>): Record<string, string> {
  // The region resolves to a region name at deploy time, and the config parser checks that it is one.
  const placeholder = (k: string) => (k === 'AWS_REGION' ? 'us-east-1' : `resolved-${k.toLowerCase()}`);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]));
}

const MUTATING_ECS = /^ecs:(RunTask|StartTask|StopTask|TagResource|UntagResource|Update|Create|Delete|Put|Register|Deregister|Submit)/;

/** Grants that break least privilege: ECS wildcards, and mutating ECS actions on every resource. */
export function broadEcsGrants(statements: PolicyStatement[]): string[] {
  const problems: string[] = [];
  for (const s of statements) {
    const resourceList = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const action of actionsOf(s)) {
      if (action === '*' || /^ecs:.*\*/.test(action)) problems.push(`${action}: wildcard action`);
      if (MUTATING_ECS.test(action) && resourceList.includes('*')) problems.push(`${action}: on Resource "*"`);
    }
  }
  return problems;
}
