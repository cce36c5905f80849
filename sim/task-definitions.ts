// Task definitions: the default `LaunchGameserver`, RegisterTaskDefinition and the lookups RunTask needs.
import { clientException, invalidParameter } from './errors.js';
import type { ContainerDefinition, LaunchType, NetworkMode, PortMapping, TaskDefinition } from './model.js';
import type { SimState } from './state.js';

/** The gameserver's ports, as in the seed's task definition: game traffic and the web/health API. */
export const GAME_PORT = 3000;
export const WEB_PORT = 3080;

export function registerDefaultTaskDefinition(state: SimState, now: number, networkMode: NetworkMode = 'awsvpc'): void {
  registerTaskDefinition(
    state,
    {
      family: 'LaunchGameserver',
      networkMode,
      // bridge tasks get dynamic host ports (hostPort absent), as the seed's EC2 fleet had.
      requiresCompatibilities: networkMode === 'awsvpc' ? ['FARGATE', 'EC2'] : ['EC2'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'gameserver',
          image: 'siggame/cerveau:latest',
          essential: true,
          portMappings: [
            { containerPort: GAME_PORT, protocol: 'tcp', name: 'game' },
            { containerPort: WEB_PORT, protocol: 'tcp', name: 'web' },
          ],
          healthCheck: {
            command: ['CMD-SHELL', `curl -f http://localhost:${WEB_PORT}/health/ || exit 1`],
            interval: 30,
            timeout: 5,
            retries: 3,
          },
        },
      ],
    },
    now,
  );
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

function parsePortMapping(raw: unknown, networkMode: NetworkMode): PortMapping {
  const m = asRecord(raw, 'portMappings entry');
  const containerPort = m['containerPort'];
  if (typeof containerPort !== 'number' || !Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) {
    throw clientException('Invalid containerPort in portMappings.');
  }
  const hostPort = m['hostPort'];
  if (networkMode === 'awsvpc' && hostPort !== undefined && hostPort !== containerPort) {
    throw clientException('When networkMode=awsvpc, the host ports and container ports in port mappings must match.');
  }
  return {
    containerPort,
    hostPort: typeof hostPort === 'number' ? hostPort : undefined,
    protocol: m['protocol'] === 'udp' ? 'udp' : 'tcp',
    name: typeof m['name'] === 'string' ? m['name'] : undefined,
  };
}

function parseContainer(raw: unknown, networkMode: NetworkMode): ContainerDefinition {
  const c = asRecord(raw, 'containerDefinitions entry');
  const { name, image, cpu, memory, essential, portMappings, ...extra } = c;
  if (typeof name !== 'string' || name === '') throw clientException('Container.name should not be null or empty.');
  if (typeof image !== 'string' || image === '') throw clientException('Container.image should not be null or empty.');
  const mappings = portMappings === undefined ? [] : portMappings;
  if (!Array.isArray(mappings)) throw invalidParameter('portMappings must be a list.');
  return {
    name,
    image,
    cpu: typeof cpu === 'number' ? cpu : undefined,
    memory: typeof memory === 'number' ? memory : undefined,
    essential: essential !== false,
    portMappings: mappings.map((m) => parsePortMapping(m, networkMode)),
    extra,
  };
}

export function registerTaskDefinition(state: SimState, input: Record<string, unknown>, now: number): TaskDefinition {
  const family = input['family'];
  if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
    throw clientException('Family contains invalid characters or is longer than 255.');
  }
  const mode = input['networkMode'] ?? 'bridge';
  if (mode !== 'awsvpc' && mode !== 'bridge' && mode !== 'host') {
    throw clientException(`Network mode '${String(mode)}' is not supported by this simulator.`);
  }
  const containers = input['containerDefinitions'];
  if (!Array.isArray(containers) || containers.length === 0) {
    throw clientException('Container list cannot be empty.');
  }
  const compat = Array.isArray(input['requiresCompatibilities']) ? input['requiresCompatibilities'] : ['EC2'];
  const requiresCompatibilities = compat.filter((c): c is LaunchType => c === 'FARGATE' || c === 'EC2');
  if (requiresCompatibilities.includes('FARGATE') && mode !== 'awsvpc') {
    throw clientException("Fargate only supports network mode 'awsvpc'.");
  }
  const revisions = state.taskDefinitions.get(family) ?? [];
  const revision = revisions.length + 1;
  const definition: TaskDefinition = {
    family,
    revision,
    arn: state.arn(`task-definition/${family}:${revision}`),
    networkMode: mode,
    requiresCompatibilities,
    cpu: typeof input['cpu'] === 'string' ? input['cpu'] : undefined,
    memory: typeof input['memory'] === 'string' ? input['memory'] : undefined,
    containers: containers.map((c) => parseContainer(c, mode)),
    registeredAt: now,
    status: 'ACTIVE',
  };
  revisions.push(definition);
  state.taskDefinitions.set(family, revisions);
  return definition;
}

/** `family`, `family:revision` or a full ARN; the latest ACTIVE revision when none is named. */
export function resolveTaskDefinition(state: SimState, ref: unknown): TaskDefinition {
  if (typeof ref !== 'string' || ref === '') throw invalidParameter('taskDefinition can not be blank.');
  const short = ref.startsWith('arn:') ? (ref.split('/').pop() ?? '') : ref;
  const [family = '', revisionText] = short.split(':');
  const revisions = state.taskDefinitions.get(family) ?? [];
  const found =
    revisionText === undefined
      ? [...revisions].reverse().find((d) => d.status === 'ACTIVE')
      : revisions[Number(revisionText) - 1];
  if (!found) throw clientException('Unable to describe task definition.');
  return found;
}

/** Task-level memory (MiB) and CPU units used for EC2 placement. */
export function taskResources(definition: TaskDefinition): { cpu: number; memory: number } {
  const sum = (pick: (c: ContainerDefinition) => number | undefined): number =>
    definition.containers.reduce((total, c) => total + (pick(c) ?? 0), 0);
  return {
    cpu: definition.cpu !== undefined ? Number(definition.cpu) : sum((c) => c.cpu) || 10,
    memory: definition.memory !== undefined ? Number(definition.memory) : sum((c) => c.memory) || 128,
  };
}

export function serializeTaskDefinition(d: TaskDefinition): Record<string, unknown> {
  return {
    taskDefinitionArn: d.arn,
    family: d.family,
    revision: d.revision,
    networkMode: d.networkMode,
    requiresCompatibilities: d.requiresCompatibilities,
    compatibilities: d.networkMode === 'awsvpc' ? ['EC2', 'FARGATE'] : ['EC2'],
    cpu: d.cpu,
    memory: d.memory,
    status: d.status,
    registeredAt: d.registeredAt / 1000,
    containerDefinitions: d.containers.map((c) => ({
      ...c.extra,
      name: c.name,
      image: c.image,
      cpu: c.cpu,
      memory: c.memory,
      essential: c.essential,
      portMappings: c.portMappings,
    })),
  };
}
