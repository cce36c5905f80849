// ECS task actions: RunTask, StopTask, ListTasks, DescribeTasks.
import type { SimContext } from './context.js';
import { SimApiError, clientException, invalidParameter } from './errors.js';
import { serializeTask } from './ecs-serialize.js';
import type { LaunchType } from './model.js';
import { resolveTaskDefinition } from './task-definitions.js';
import { launchTasks } from './task-launcher.js';
import { optionalString, paginate, parseTags, record, stringList } from './validate.js';

type Input = Record<string, unknown>;

const STARTED_BY = /^[A-Za-z0-9_/-]*$/;

function parseLaunchType(input: Input): { launchType: LaunchType; capacityProviderName?: string } {
  const launchType = input['launchType'];
  const strategy = input['capacityProviderStrategy'];
  if (launchType !== undefined && strategy !== undefined) {
    throw invalidParameter(
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    );
  }
  if (strategy !== undefined) {
    if (!Array.isArray(strategy) || strategy.length === 0) throw invalidParameter('capacityProviderStrategy must not be empty.');
    const provider = record(strategy[0], 'capacityProviderStrategy entry')['capacityProvider'];
    if (typeof provider !== 'string' || provider === '') throw invalidParameter('capacityProvider can not be blank.');
    const fargate = provider === 'FARGATE' || provider === 'FARGATE_SPOT';
    return { launchType: fargate ? 'FARGATE' : 'EC2', capacityProviderName: provider };
  }
  if (launchType === undefined) return { launchType: 'EC2' };
  if (launchType !== 'FARGATE' && launchType !== 'EC2') {
    throw invalidParameter(`launchType '${String(launchType)}' is not supported by this simulator.`);
  }
  return { launchType };
}

export function runTask(ctx: SimContext, input: Input): Input {
  const { state } = ctx;
  const cluster = state.resolveCluster(input['cluster']);
  const count = input['count'] ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10) {
    throw invalidParameter('Count must be between 1 and 10.');
  }
  const startedBy = optionalString(input, 'startedBy');
  if (startedBy !== undefined && (startedBy.length > state.options.startedByMaxLength || !STARTED_BY.test(startedBy))) {
    throw invalidParameter(
      `startedBy must be at most ${state.options.startedByMaxLength} letters, numbers, hyphens, forward slashes and underscores.`,
    );
  }
  const group = optionalString(input, 'group');
  const tags = parseTags(input['tags']);
  const { launchType, capacityProviderName } = parseLaunchType(input);
  const definition = resolveTaskDefinition(state, input['taskDefinition']);
  if (launchType === 'FARGATE' && !definition.requiresCompatibilities.includes('FARGATE')) {
    throw clientException('Task definition does not support launch_type FARGATE.');
  }
  const network = record(input['networkConfiguration'], 'networkConfiguration');
  const awsvpc = record(network['awsvpcConfiguration'], 'awsvpcConfiguration');
  const hasNetwork = input['networkConfiguration'] !== undefined && input['networkConfiguration'] !== null;
  if (definition.networkMode === 'awsvpc') {
    if (!hasNetwork) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    if (stringList(awsvpc, 'subnets').length === 0) throw invalidParameter('subnets can not be empty.');
  } else if (hasNetwork) {
    throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.');
  }
  const constraints = input['placementConstraints'] ?? [];
  if (!Array.isArray(constraints)) throw invalidParameter('placementConstraints must be a list.');
  if (constraints.length > 0 && launchType === 'FARGATE') {
    throw invalidParameter('Task placement constraints are not supported for the Fargate launch type.');
  }
  let distinctInstance = false;
  for (const raw of constraints) {
    const type = record(raw, 'placementConstraint')['type'];
    if (type === 'distinctInstance') distinctInstance = true;
    else if (type !== 'memberOf') throw invalidParameter(`Invalid placement constraint type '${String(type)}'.`);
  }
  if (launchType === 'FARGATE' && !ctx.throttler.allow('fargate-launch', count)) {
    throw new SimApiError('ThrottlingException', 'Rate exceeded');
  }
  const outcome = launchTasks(ctx, {
    cluster,
    definition,
    count,
    launchType,
    capacityProviderName,
    startedBy,
    group,
    tags,
    overrides: record(input['overrides'], 'overrides'),
    subnets: stringList(awsvpc, 'subnets'),
    assignPublicIp: awsvpc['assignPublicIp'] === 'ENABLED',
    distinctInstance,
  });
  return {
    tasks: outcome.tasks.map((t) => serializeTask(state, t, true)),
    failures: outcome.failures,
  };
}

export function stopTask(ctx: SimContext, input: Input): Input {
  const cluster = ctx.state.resolveCluster(input['cluster']);
  const ref = optionalString(input, 'task');
  if (!ref) throw invalidParameter('task can not be blank.');
  const reason = optionalString(input, 'reason');
  if (reason !== undefined && reason.length > 255) {
    throw invalidParameter('Reason should not be longer than 255 characters.');
  }
  const task = ctx.state.findTask(cluster, ref);
  if (!task) throw invalidParameter('The referenced task was not found.');
  ctx.lifecycle.stop(task, { stopCode: 'UserInitiated', reason: reason ?? 'Task stopped by user' });
  return { task: serializeTask(ctx.state, task, false) };
}

export function listTasks(ctx: SimContext, input: Input): Input {
  const { state } = ctx;
  state.pruneStoppedTasks(Date.now());
  const cluster = state.resolveCluster(input['cluster']);
  const desired = input['desiredStatus'] ?? 'RUNNING';
  if (desired !== 'RUNNING' && desired !== 'STOPPED' && desired !== 'PENDING') {
    throw invalidParameter('desiredStatus must be one of RUNNING, PENDING, STOPPED.');
  }
  const startedBy = optionalString(input, 'startedBy');
  const family = optionalString(input, 'family');
  const launchType = optionalString(input, 'launchType');
  const instanceRef = optionalString(input, 'containerInstance');
  const instance = instanceRef === undefined ? undefined : state.findContainerInstance(cluster, instanceRef);
  if (instanceRef !== undefined && !instance) throw invalidParameter('The referenced container instance was not found.');
  const matching = [...state.tasks.values()].filter(
    (t) =>
      t.cluster === cluster &&
      t.desiredStatus === desired &&
      (startedBy === undefined || t.startedBy === startedBy) &&
      (family === undefined || t.definition.family === family) &&
      (launchType === undefined || t.launchType === launchType) &&
      (instance === undefined || t.containerInstance === instance),
  );
  const { page, nextToken } = paginate(matching, input);
  return { taskArns: page.map((t) => t.arn), nextToken };
}

export function describeTasks(ctx: SimContext, input: Input): Input {
  const { state } = ctx;
  state.pruneStoppedTasks(Date.now());
  const cluster = state.resolveCluster(input['cluster']);
  const refs = stringList(input, 'tasks');
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('Tasks cannot have more than 100 elements.');
  const includeTags = stringList(input, 'include').includes('TAGS');
  const tasks: Input[] = [];
  const failures: Input[] = [];
  for (const ref of refs) {
    const task = state.findTask(cluster, ref);
    if (task) tasks.push(serializeTask(state, task, includeTags));
    else failures.push({ arn: ref, reason: 'MISSING' });
  }
  return { tasks, failures };
}
