// The read side of a fleet's tasks: ListTasks by startedBy (all pages) and DescribeTasks with tags
// in chunks of 100 (§4). Tasks of other fleets that a caller names are left out.
import type { DesiredStatus, ECSClient, Task } from '@aws-sdk/client-ecs';
import { DescribeTasksCommand, ListTasksCommand } from './sdk.js';
import type { RateLimits } from './rate-limits.js';

const LIST_PAGE = 100;
const DESCRIBE_CHUNK = 100;

export interface TaskQueryDeps {
  ecs: ECSClient;
  limits: RateLimits;
  cluster: string;
  fleetId: string;
}

export interface Described {
  tasks: Task[];
  /** ARNs ECS answered with a MISSING failure: it no longer knows them. */
  missing: string[];
}

export async function listTaskArns(deps: TaskQueryDeps, desiredStatus: DesiredStatus): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const res = await deps.limits.call('read', 'ListTasks', () =>
      deps.ecs.send(new ListTasksCommand({ cluster: deps.cluster, startedBy: deps.fleetId, desiredStatus, maxResults: LIST_PAGE, nextToken })),
    );
    arns.push(...(res.taskArns ?? []));
    nextToken = res.nextToken;
  } while (nextToken);
  return arns;
}

export async function describeTasks(deps: TaskQueryDeps, arns: readonly string[]): Promise<Described> {
  const out: Described = { tasks: [], missing: [] };
  for (let i = 0; i < arns.length; i += DESCRIBE_CHUNK) {
    const chunk = arns.slice(i, i + DESCRIBE_CHUNK);
    const res = await deps.limits.call('read', 'DescribeTasks', () =>
      deps.ecs.send(new DescribeTasksCommand({ cluster: deps.cluster, tasks: chunk, include: ['TAGS'] })),
    );
    out.tasks.push(...(res.tasks ?? []).filter((t) => t.startedBy === undefined || t.startedBy === deps.fleetId));
    for (const f of res.failures ?? []) if (f.arn && f.reason === 'MISSING') out.missing.push(f.arn);
  }
  return out;
}
