// Deployment choices, read once from CDK context (`-c key=value` or cdk.json) and validated with
// one message per bad value, so that a typo fails the synth instead of a deployment.
import { z } from 'zod';

/** The gameserver task's ports. Cerveau's own web port stays inside the task (see gameserver-task.ts). */
export interface GameserverPorts {
  /** Cerveau's TCP port; clients connect here. */
  game: number;
  /** The sidecar: Cerveau's web API with a session limit, plus /health/, /drain/, /undrain/. */
  web: number;
  /** Cerveau's own HTTP port, reached by the sidecar only. */
  cerveauHttp: number;
}

export interface DeployOptions {
  stackName: string;
  /** ECS startedBy and the `arbiter:fleet` tag; one manager per fleet id. */
  fleetId: string;
  /** Use this VPC instead of creating one. */
  vpcId: string | undefined;
  /** With vpcId: its public subnets, so no lookup (and no AWS credentials) is needed at synth time. */
  publicSubnetIds: string[] | undefined;
  availabilityZones: string[] | undefined;
  /** Only for a created VPC; 0 keeps cost down (every task gets a public IP instead). */
  natGateways: number;
  /** Who may reach the game port (the sidecar port admits only the manager's security group). */
  clientCidr: string;
  /** The project's image in ECR of the deploying account and region. */
  imageRepository: string;
  imageTag: string;
  /** Cerveau's image: a full image reference (any registry), or an ECR repository name of this account. */
  cerveauImage: string;
  /** fargate (awsvpc, the default) or the seed's EC2 mode (bridge, one instance per task). */
  launchMode: 'fargate' | 'ec2';
  instanceType: string;
  launchTemplateName: string;
  ports: GameserverPorts;
  sessionsPerServer: number;
  minServers: number;
  maxServers: number;
  gameserverCpu: number;
  gameserverMemoryMiB: number;
  managerCpu: number;
  managerMemoryMiB: number;
  logRetentionDays: number;
  /** Existing Secrets Manager secrets (plain string values) by name; the admin token is generated when absent. */
  adminTokenSecretName: string | undefined;
  allocateTokenSecretName: string | undefined;
  heartbeatTokenSecretName: string | undefined;
  /** The manager↔sidecar drain token (ARBITER_SIDECAR_TOKEN); generated when absent. */
  sidecarTokenSecretName: string | undefined;
  /** An ACM certificate for an HTTPS listener (port 80 redirects to it). */
  certificateArn: string | undefined;
  /** Who may reach the manager's load balancer. Required without a certificate (plain HTTP); with one,
   *  undefined means anyone, over HTTPS. */
  apiCidr: string | undefined;
  /** Subscribed to the alarm topic (the address confirms by mail); undefined = subscribe later. */
  alarmEmail: string | undefined;
}

/** Raised when a context value is invalid; `problems` has one line per bad key. */
export class DeployOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid deployment context:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'DeployOptionsError';
  }
}

// Context values arrive as strings from the command line and as JSON values from cdk.json.
const text = z.string().trim().min(1, 'expected a non-empty string');
const whole = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`);
const port = whole(1, 65535);
const idList = (pattern: RegExp, what: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0))
    .pipe(z.array(z.string().regex(pattern, `expected ${what}`)).min(1, `expected at least one ${what}`));
const cidr = z
  .string()
  .trim()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/, 'expected an IPv4 CIDR such as 203.0.113.0/24');

// CloudWatch Logs accepts only these retention periods.
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const contextSchema = z.object({
  stackName: text.regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'expected a CloudFormation stack name').default('Arbiter'),
  fleetId: text.regex(/^[A-Za-z0-9_-]{1,36}$/, 'expected 1 to 36 letters, digits, - or _').default('arbiter'),
  vpcId: text.regex(/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, 'expected a VPC id such as vpc-0123456789abcdef0').optional(),
  publicSubnetIds: idList(/^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/, 'subnet ids such as subnet-0123456789abcdef0').optional(),
  availabilityZones: idList(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'availability zone names such as eu-west-1a').optional(),
  natGateways: whole(0, 2).default(0),
  clientCidr: cidr.default('0.0.0.0/0'),
  imageRepository: text.default('arbiter'),
  imageTag: text.default('latest'),
  cerveauImage: text.default('cerveau'),
  launchMode: z.enum(['fargate', 'ec2'], { error: 'expected fargate or ec2' }).default('fargate'),
  instanceType: text.regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'expected an instance type such as t3.small').default('t3.small'),
  launchTemplateName: text.regex(/^[A-Za-z0-9()./_-]{3,128}$/, 'expected a launch template name').default('defaultECS'),
  gamePort: port.default(3000),
  webPort: port.default(3090),
  cerveauHttpPort: port.default(3080),
  sessionsPerServer: whole(1, 10_000).default(10),
  minServers: whole(0, 10_000).default(1),
  maxServers: whole(1, 10_000).default(20),
  gameserverCpu: whole(256, 16_384).default(512),
  gameserverMemoryMiB: whole(512, 122_880).default(1024),
  managerCpu: whole(256, 16_384).default(256),
  managerMemoryMiB: whole(512, 122_880).default(512),
  logRetentionDays: whole(1, 3653)
    .refine((d) => RETENTION_DAYS.includes(d), `expected one of ${RETENTION_DAYS.join(', ')}`)
    .default(14),
  adminTokenSecretName: text.optional(),
  allocateTokenSecretName: text.optional(),
  heartbeatTokenSecretName: text.optional(),
  sidecarTokenSecretName: text.optional(),
  certificateArn: text.regex(/^arn:aws[a-z-]*:acm:/, 'expected an ACM certificate ARN').optional(),
  apiCidr: cidr.optional(),
  alarmEmail: text.regex(/^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/, 'expected an email address').max(254).optional(),
});

export const CONTEXT_KEYS = Object.keys(contextSchema.shape) as (keyof typeof contextSchema.shape)[];

/** `read(key)` is usually `app.node.tryGetContext`; unset and empty values take the defaults. */
export function parseDeployOptions(read: (key: string) => unknown): DeployOptions {
  const input: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const v = read(key);
    if (v !== undefined && v !== null && v !== '') input[key] = v;
  }
  const parsed = contextSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? 'context');
      return `${key}: ${issue.message}${key in input ? ` (got ${JSON.stringify(input[key])})` : ''}`;
    });
    throw new DeployOptionsError([...new Set(problems)]);
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.publicSubnetIds && !c.vpcId) problems.push('publicSubnetIds: only meaningful with vpcId');
  if (c.vpcId && c.publicSubnetIds && !c.availabilityZones) {
    problems.push('availabilityZones: required with vpcId and publicSubnetIds (one zone per subnet, same order)');
  }
  if (c.availabilityZones && c.publicSubnetIds && c.availabilityZones.length !== c.publicSubnetIds.length) {
    problems.push(
      `availabilityZones: expected one zone per public subnet (got ${c.availabilityZones.length} zones for ${c.publicSubnetIds.length} subnets)`,
    );
  }
  if (c.minServers > c.maxServers) problems.push(`minServers: must not exceed maxServers (got ${c.minServers} > ${c.maxServers})`);
  const ports = [c.gamePort, c.webPort, c.cerveauHttpPort];
  if (new Set(ports).size !== ports.length) {
    // The two containers share one network namespace in awsvpc mode: equal ports would collide.
    problems.push(`gamePort, webPort, cerveauHttpPort: must differ (got ${ports.join(', ')})`);
  }
  if (!c.certificateArn && !c.apiCidr) {
    // The API serves the dashboard, the server list, metrics and admin calls: never in clear text to everyone.
    problems.push(
      'certificateArn or apiCidr: give an ACM certificate (HTTPS, open to clients) or the CIDR allowed to reach the manager over plain HTTP (such as 203.0.113.0/24)',
    );
  }
  if (problems.length > 0) throw new DeployOptionsError(problems);

  return {
    stackName: c.stackName,
    fleetId: c.fleetId,
    vpcId: c.vpcId,
    publicSubnetIds: c.publicSubnetIds,
    availabilityZones: c.availabilityZones,
    natGateways: c.natGateways,
    clientCidr: c.clientCidr,
    imageRepository: c.imageRepository,
    imageTag: c.imageTag,
    cerveauImage: c.cerveauImage,
    launchMode: c.launchMode,
    instanceType: c.instanceType,
    launchTemplateName: c.launchTemplateName,
    ports: { game: c.gamePort, web: c.webPort, cerveauHttp: c.cerveauHttpPort },
    sessionsPerServer: c.sessionsPerServer,
    minServers: c.minServers,
    maxServers: c.maxServers,
    gameserverCpu: c.gameserverCpu,
    gameserverMemoryMiB: c.gameserverMemoryMiB,
    managerCpu: c.managerCpu,
    managerMemoryMiB: c.managerMemoryMiB,
    logRetentionDays: c.logRetentionDays,
    adminTokenSecretName: c.adminTokenSecretName,
    allocateTokenSecretName: c.allocateTokenSecretName,
    heartbeatTokenSecretName: c.heartbeatTokenSecretName,
    sidecarTokenSecretName: c.sidecarTokenSecretName,
    certificateArn: c.certificateArn,
    apiCidr: c.apiCidr,
    alarmEmail: c.alarmEmail,
  };
}
