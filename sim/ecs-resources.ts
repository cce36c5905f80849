// ECS actions other than the task lifecycle: tags, clusters, container instances, task definitions.
import type { SimContext } from './context.js';
import { SimApiError, invalidParameter } from './errors.js';
import { serializeContainerInstance, tagList } from './ecs-serialize.js';
import type { Cluster } from './model.js';
import { registerTaskDefinition, resolveTaskDefinition, serializeTaskDefinition } from './task-definitions.js';
import { MAX_TAGS, optionalString, paginate, parseTags, stringList } from './validate.js';

type Input = Record<string, unknown>;

/** The tag map of a task or cluster named by ARN. */
function taggable(ctx: SimContext, input: Input): Map<string, string> {
  const arn = optionalString(input, 'resourceArn');
  if (!arn) throw invalidParameter('resourceArn can not be blank.');
  const match = /^arn:aws:ecs:[^:]+:\d{12}:(task|cluster)\/(.+)$/.exec(arn);
  if (!match) throw invalidParameter('The ARN provided is invalid.');
  const [, kind, rest = ''] = match;
  if (kind === 'cluster') {
    const cluster = ctx.state.clusters.get(rest);
    if (cluster) return cluster.tags;
  } else {
    const [clusterName = '', id = ''] = rest.split('/');
    const task = ctx.state.tasks.get(id);
    if (task && task.cluster.name === clusterName) return task.tags;
  }
  throw new SimApiError('ResourceNotFoundException', 'The specified resource could not be found.');
}

export function tagResource(ctx: SimContext, input: Input): Input {
  const tags = taggable(ctx, input);
  const added = parseTags(input['tags']);
  if (added.size === 0) throw invalidParameter('tags can not be empty.');
  const merged = new Map([...tags, ...added]);
  if (merged.size > MAX_TAGS) throw invalidParameter(`The number of tags exceeds the limit of ${MAX_TAGS}.`);
  for (const [key, value] of added) tags.set(key, value);
  return {};
}

export function untagResource(ctx: SimContext, input: Input): Input {
  const tags = taggable(ctx, input);
  const keys = stringList(input, 'tagKeys');
  if (keys.length === 0) throw invalidParameter('tagKeys can not be empty.');
  for (const key of keys) tags.delete(key);
  return {};
}

export function listTagsForResource(ctx: SimContext, input: Input): Input {
  return { tags: tagList(taggable(ctx, input)) };
}

function serializeCluster(ctx: SimContext, cluster: Cluster, includeTags: boolean): Input {
  const tasks = [...ctx.state.tasks.values()].filter((t) => t.cluster === cluster);
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: 'ACTIVE',
    registeredContainerInstancesCount: [...ctx.state.containerInstances.values()].filter(
      (i) => i.cluster === cluster && i.status === 'ACTIVE',
    ).length,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.lastStatus)).length,
    activeServicesCount: 0,
    capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    defaultCapacityProviderStrategy: [],
    tags: includeTags ? tagList(cluster.tags) : undefined,
  };
}

export function describeClusters(ctx: SimContext, input: Input): Input {
  const refs = stringList(input, 'clusters');
  const includeTags = stringList(input, 'include').includes('TAGS');
  const clusters: Input[] = [];
  const failures: Input[] = [];
  for (const ref of refs.length === 0 ? ['default'] : refs) {
    const name = ref.startsWith('arn:') ? (ref.split('/').pop() ?? '') : ref;
    const cluster = ctx.state.clusters.get(name);
    if (cluster) clusters.push(serializeCluster(ctx, cluster, includeTags));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : ctx.state.arn(`cluster/${ref}`), reason: 'MISSING' });
  }
  return { clusters, failures };
}

export function createCluster(ctx: SimContext, input: Input): Input {
  const name = optionalString(input, 'clusterName') ?? 'default';
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
    throw invalidParameter('Cluster names may contain up to 255 letters, numbers, hyphens and underscores.');
  }
  const cluster = ctx.state.createCluster(name);
  for (const [key, value] of parseTags(input['tags'])) cluster.tags.set(key, value);
  return { cluster: serializeCluster(ctx, cluster, true) };
}

export function listClusters(ctx: SimContext, input: Input): Input {
  const clusters = [...ctx.state.clusters.values()].map((c, index) => ({ ...c, seq: index + 1 }));
  const { page, nextToken } = paginate(clusters, input);
  return { clusterArns: page.map((c) => c.arn), nextToken };
}

export function describeContainerInstances(ctx: SimContext, input: Input): Input {
  const cluster = ctx.state.resolveCluster(input['cluster']);
  const refs = stringList(input, 'containerInstances');
  if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.');
  if (refs.length > 100) throw invalidParameter('containerInstances cannot have more than 100 elements.');
  const containerInstances: Input[] = [];
  const failures: Input[] = [];
  for (const ref of refs) {
    const instance = ctx.state.findContainerInstance(cluster, ref);
    if (instance) containerInstances.push(serializeContainerInstance(ctx.state, instance));
    else failures.push({ arn: ref, reason: 'MISSING' });
  }
  return { containerInstances, failures };
}

export function listContainerInstances(ctx: SimContext, input: Input): Input {
  const cluster = ctx.state.resolveCluster(input['cluster']);
  const status = optionalString(input, 'status');
  const instances = [...ctx.state.containerInstances.values()].filter(
    (i) => i.cluster === cluster && (status === undefined ? i.status !== 'INACTIVE' : i.status === status),
  );
  const { page, nextToken } = paginate(instances, input);
  return { containerInstanceArns: page.map((i) => i.arn), nextToken };
}

export function registerTaskDefinitionAction(ctx: SimContext, input: Input): Input {
  const definition = registerTaskDefinition(ctx.state, input, Date.now());
  return { taskDefinition: serializeTaskDefinition(definition), tags: [] };
}

export function describeTaskDefinition(ctx: SimContext, input: Input): Input {
  const definition = resolveTaskDefinition(ctx.state, input['taskDefinition']);
  return { taskDefinition: serializeTaskDefinition(definition), tags: [] };
}
