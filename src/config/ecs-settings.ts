// The ECS section, assembled from the ECS_* and GAMESERVER_* variables with the seed's defaults: a launch
// template means EC2 instances, and EC2 tasks default to bridge networking.
import type { EcsSettings } from './resolved-config.js';
import type { RawEnv } from './schema.js';

/** The ECS settings, or null when they cannot be built; each problem found is pushed onto `problems`. */
export function buildEcs(raw: RawEnv, problems: string[]): EcsSettings | null {
  if (!raw.GAMESERVER_TASK_DEFINITION) {
    problems.push('GAMESERVER_TASK_DEFINITION: required when ARBITER_BACKEND is ecs (alias SERVER_TASK_DEFINITION)');
    return null;
  }
  const capacityProviders: EcsSettings['capacityProviders'] = [];
  for (const item of raw.ECS_CAPACITY_PROVIDERS ?? []) {
    const [name, weight = '1', base = '0'] = item.split(':');
    if (!name || !/^\d+$/.test(weight) || !/^\d+$/.test(base)) {
      problems.push(`ECS_CAPACITY_PROVIDERS: expected name[:weight[:base]] items separated by commas (got ${JSON.stringify(item)})`);
      continue;
    }
    capacityProviders.push({ capacityProvider: name, weight: Number(weight), base: Number(base) });
  }
  const launchType =
    capacityProviders.length > 0 ? undefined : (raw.ECS_LAUNCH_TYPE ?? (raw.ECS_INSTANCE_LAUNCH_TEMPLATE ? 'EC2' : 'FARGATE'));
  const networkMode = raw.ECS_NETWORK_MODE ?? (launchType === 'EC2' ? 'bridge' : 'awsvpc');
  if (launchType === 'FARGATE' && networkMode !== 'awsvpc') {
    problems.push('ECS_NETWORK_MODE: FARGATE tasks only support awsvpc');
  }
  if (networkMode === 'awsvpc' && (raw.ECS_SUBNETS ?? []).length === 0) {
    problems.push('ECS_SUBNETS: required for awsvpc networking (comma-separated subnet ids)');
  }
  if (raw.ECS_INSTANCE_LAUNCH_TEMPLATE && launchType !== 'EC2') {
    problems.push('ECS_INSTANCE_LAUNCH_TEMPLATE: only applies to the EC2 launch type');
  }
  return {
    region: raw.AWS_REGION,
    cluster: raw.ECS_CLUSTER,
    taskDefinition: raw.GAMESERVER_TASK_DEFINITION,
    containerName: raw.GAMESERVER_CONTAINER_NAME,
    launchType,
    capacityProviders,
    networkMode,
    subnets: raw.ECS_SUBNETS ?? [],
    securityGroups: raw.ECS_SECURITY_GROUPS ?? [],
    assignPublicIp: raw.ECS_ASSIGN_PUBLIC_IP,
    address: raw.ECS_ADDRESS,
    pollAddress: raw.ECS_POLL_ADDRESS,
    instanceLaunchTemplate: raw.ECS_INSTANCE_LAUNCH_TEMPLATE,
    readSharePercent: raw.ECS_READ_SHARE,
  };
}
