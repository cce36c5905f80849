// What the ECS backend reads of its configuration (the ECS_* and GAMESERVER_* variables).
// src/config resolves the environment into values of this shape; src/main.ts passes them in.

export interface CapacityProviderItem {
  capacityProvider: string;
  weight: number;
  base: number;
}

export interface EcsConfig {
  region: string | undefined;
  cluster: string;
  taskDefinition: string;
  containerName: string | undefined;
  /** Undefined when a capacity-provider strategy is used instead. */
  launchType: 'FARGATE' | 'EC2' | undefined;
  capacityProviders: CapacityProviderItem[];
  networkMode: 'awsvpc' | 'bridge';
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
  address: 'public' | 'private';
  /** Which address health polls use (ECS_POLL_ADDRESS, private by default); unset: same as `address`. */
  pollAddress?: 'public' | 'private';
  instanceLaunchTemplate: string | undefined;
  /** Percent of the account's ECS read bucket (burst 100, 20/s) this manager allows itself. */
  readSharePercent?: number;
}
