// EC2 launch-template mode as decisions. One instance per server: it boots, joins the cluster, gets its
// server's task, and is terminated when that task stops. These functions say what to do with the fleet's
// instances given one observation of them; they call nothing, read no clock and log nothing.
// InstanceMode observes, asks them, and applies what they return.

/** Why an instance is terminated; the label of arbiter_ec2_instances_terminated_total. */
export type TerminateReason = 'task_stopped' | 'idle' | 'join_deadline' | 'placement_failed' | 'server_stopped';

export const TERMINATE_REASONS: readonly TerminateReason[] = ['task_stopped', 'idle', 'join_deadline', 'placement_failed', 'server_stopped'];

export interface Termination {
  instanceId: string;
  reason: TerminateReason;
  /** What the reason does not say: the ECS failure of a placement, the manager's reason to stop a server. */
  detail?: string;
}

/** A task of the fleet as last seen, with the EC2 instance it runs on when that is known. */
export interface InstanceTask {
  instanceId: string | undefined;
  /** Not STOPPED. */
  live: boolean;
}

export interface InstanceObservation {
  /** The fleet's tasks as last seen. */
  tasks: readonly InstanceTask[];
  /** Instances tagged with the fleet that EC2 lists as pending or running. */
  fleetInstances: readonly string[];
  /** Instances registered with the cluster; null when nobody looked (nothing was launching). */
  registered: ReadonlySet<string> | null;
  /** Instances launched for a server that has no task yet → launch time. */
  launching: ReadonlyMap<string, number>;
  /** First time each instance of the fleet was seen holding no task of ours. */
  idleSince: ReadonlyMap<string, number>;
  /** Instances terminated already, which EC2 may list for a while longer. */
  terminated: ReadonlySet<string>;
  now: number;
}

export interface InstancePlanOptions {
  /** How long a new instance may take to join the cluster. */
  joinDeadlineMs: number;
  /** How long an instance of the fleet may hold no task of ours (one found after a restart, say). */
  idleGraceMs: number;
}

export interface InstancePlan {
  /** Launching instances that joined the cluster: each gets its server's task now. */
  place: string[];
  terminate: Termination[];
  /** The idle record after this observation: instances no longer idle or no longer listed are dropped. */
  idleSince: Map<string, number>;
  /** Terminated instances EC2 still lists; those it no longer lists are forgotten. */
  terminated: Set<string>;
}

/**
 * Places launching instances that joined, gives up on those past the join deadline, and terminates instances
 * of the fleet without a live task of ours: at once when our task on it stopped, after the idle grace otherwise.
 * An instance that holds a live task of ours is never terminated.
 */
export function planInstances(input: InstanceObservation, options: InstancePlanOptions): InstancePlan {
  const { now, launching, terminated } = input;
  const live = new Set<string>();
  const stoppedOn = new Set<string>();
  for (const t of input.tasks) {
    if (t.instanceId === undefined) continue;
    (t.live ? live : stoppedOn).add(t.instanceId);
  }
  const place: string[] = [];
  const terminate: Termination[] = [];
  for (const [instanceId, launchedAt] of launching) {
    if (terminated.has(instanceId) || live.has(instanceId)) continue;
    if (input.registered?.has(instanceId)) place.push(instanceId);
    else if (now - launchedAt > options.joinDeadlineMs) terminate.push({ instanceId, reason: 'join_deadline' });
  }
  const listed = new Set(input.fleetInstances);
  const idleSince = new Map<string, number>();
  for (const instanceId of listed) {
    if (terminated.has(instanceId) || launching.has(instanceId) || live.has(instanceId)) continue;
    if (stoppedOn.has(instanceId)) {
      terminate.push({ instanceId, reason: 'task_stopped' });
      continue;
    }
    const since = input.idleSince.get(instanceId) ?? now;
    idleSince.set(instanceId, since);
    if (now - since >= options.idleGraceMs) terminate.push({ instanceId, reason: 'idle' });
  }
  return { place, terminate, idleSince, terminated: new Set([...terminated].filter((id) => listed.has(id))) };
}

/** A container instance registered with the cluster. */
export interface RegisteredInstance {
  containerInstanceArn: string;
  ec2InstanceId: string;
}

export interface LaunchObservation {
  /** Servers asked for. */
  wanted: number;
  registered: readonly RegisteredInstance[];
  /** Container instances that hold a live task of ours. */
  busy: ReadonlySet<string>;
  /** Instances launched for a server that has no task yet. */
  launching: ReadonlySet<string>;
  terminated: ReadonlySet<string>;
}

export interface LaunchPlan {
  /** Free registered instances that get a task now, by EC2 instance id. */
  place: string[];
  /** Instances to launch from the template for the rest. */
  launch: number;
}

/** Free registered instances first (no boot to wait for), then new instances: exactly `wanted` servers. */
export function planLaunch(input: LaunchObservation): LaunchPlan {
  const wanted = Math.max(0, Math.floor(input.wanted));
  const place: string[] = [];
  for (const ci of input.registered) {
    if (place.length >= wanted) break;
    const id = ci.ec2InstanceId;
    if (input.busy.has(ci.containerInstanceArn) || input.launching.has(id) || input.terminated.has(id) || place.includes(id)) continue;
    place.push(id);
  }
  return { place, launch: wanted - place.length };
}
