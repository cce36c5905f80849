// The whole deployment in one stack: network, cluster, gameserver task, optional EC2 capacity,
// and the manager with its least-privilege role.
import type { Construct } from 'constructs';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { DeployOptions } from './deploy-options.js';
import { GameNetwork } from './constructs/game-network.js';
import { GameserverTask } from './constructs/gameserver-task.js';
import { Ec2Capacity } from './constructs/ec2-capacity.js';
import { ManagerService } from './constructs/manager-service.js';
import { ManagerPolicy } from './constructs/manager-policy.js';
import { ManagerAlarms } from './constructs/manager-alarms.js';

export interface ArbiterStackProps extends StackProps {
  options: DeployOptions;
}

export class ArbiterStack extends Stack {
  readonly network: GameNetwork;
  readonly cluster: ecs.Cluster;
  readonly gameserver: GameserverTask;
  readonly ec2Capacity: Ec2Capacity | undefined;
  readonly manager: ManagerService;
  readonly alarms: ManagerAlarms;

  constructor(scope: Construct, id: string, props: ArbiterStackProps) {
    super(scope, id, props);
    const o = props.options;
    const ec2Mode = o.launchMode === 'ec2';

    this.network = new GameNetwork(this, 'Network', {
      vpcId: o.vpcId,
      publicSubnetIds: o.publicSubnetIds,
      availabilityZones: o.availabilityZones,
      natGateways: o.natGateways,
      clientCidr: o.clientCidr,
      ports: o.ports,
    });
    // Container Insights: per-task CPU, memory and network, and task counts, without an agent.
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.network.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    // One secret, read by the manager (it sends it on /drain/) and by every sidecar (it requires it there).
    const sidecarToken = o.sidecarTokenSecretName
      ? secretsmanager.Secret.fromSecretNameV2(this, 'SidecarToken', o.sidecarTokenSecretName)
      : new secretsmanager.Secret(this, 'SidecarToken', {
          description: 'Bearer token the Arbiter manager sends to gameserver sidecars on /drain/ and /undrain/',
          generateSecretString: { excludePunctuation: true, passwordLength: 48 },
        });

    const projectImage = ecs.ContainerImage.fromEcrRepository(
      ecr.Repository.fromRepositoryName(this, 'ProjectRepository', o.imageRepository),
      o.imageTag,
    );
    this.gameserver = new GameserverTask(this, 'Gameserver', {
      family: `${o.fleetId}-gameserver`,
      launchMode: o.launchMode,
      cerveauImage: this.cerveauImage(o.cerveauImage),
      projectImage,
      ports: o.ports,
      sessionsPerServer: o.sessionsPerServer,
      cpu: o.gameserverCpu,
      memoryMiB: o.gameserverMemoryMiB,
      logRetentionDays: o.logRetentionDays,
      sidecarToken,
    });

    const firstSubnet = this.network.gameserverSubnets[0];
    if (ec2Mode && !firstSubnet) throw new Error('EC2 mode needs at least one public subnet in the VPC');
    this.ec2Capacity =
      ec2Mode && firstSubnet
        ? new Ec2Capacity(this, 'Ec2Capacity', {
            clusterName: this.cluster.clusterName,
            launchTemplateName: o.launchTemplateName,
            instanceType: o.instanceType,
            securityGroup: this.network.gameserverSecurityGroup,
            subnet: firstSubnet,
          })
        : undefined;

    this.manager = new ManagerService(this, 'Manager', {
      cluster: this.cluster,
      image: projectImage,
      securityGroup: this.network.managerSecurityGroup,
      subnets: this.network.managerSubnets,
      assignPublicIp: this.network.managerNeedsPublicIp,
      environment: this.managerEnvironment(o),
      sidecarToken,
      tokens: {
        adminTokenSecretName: o.adminTokenSecretName,
        allocateTokenSecretName: o.allocateTokenSecretName,
        heartbeatTokenSecretName: o.heartbeatTokenSecretName,
      },
      cpu: o.managerCpu,
      memoryMiB: o.managerMemoryMiB,
      logRetentionDays: o.logRetentionDays,
      certificateArn: o.certificateArn,
      apiCidr: o.apiCidr,
    });
    if (!o.certificateArn && o.apiCidr === '0.0.0.0/0') {
      Annotations.of(this.manager).addWarning(
        'apiCidr=0.0.0.0/0 without certificateArn: the dashboard, server list, metrics and tokens travel in clear text to and from anyone',
      );
    }
    this.alarms = new ManagerAlarms(this, 'Alarms', {
      logGroup: this.manager.logGroup,
      fleetId: o.fleetId,
      minServers: o.minServers,
      alarmEmail: o.alarmEmail,
    });

    new ManagerPolicy(this, 'ManagerPolicy', {
      role: this.manager.taskDefinition.taskRole,
      clusterArn: this.cluster.clusterArn,
      clusterName: this.cluster.clusterName,
      taskDefinitionFamily: this.gameserver.taskDefinition.family,
      gameserverTaskRole: this.gameserver.taskRole,
      gameserverExecutionRole: this.gameserver.executionRole,
      fleetId: o.fleetId,
      ...(this.ec2Capacity
        ? { ec2: { launchTemplateArn: launchTemplateArn(this, this.ec2Capacity), instanceRole: this.ec2Capacity.instanceRole } }
        : {}),
    });

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'GameserverTaskDefinitionFamily', { value: this.gameserver.taskDefinition.family });
    if (this.manager.generatedAdminToken) {
      new CfnOutput(this, 'AdminTokenSecretArn', {
        value: this.manager.generatedAdminToken.secretArn,
        description: 'Read the admin token with: aws secretsmanager get-secret-value --secret-id <this ARN>',
      });
    }
  }

  /** The manager's view of the fleet: every ECS_* and GAMESERVER_* variable of src/config/schema.ts it needs. */
  private managerEnvironment(o: DeployOptions): Record<string, string> {
    const ec2Mode = o.launchMode === 'ec2';
    // The seed's margins (4 and 18 for 10 sessions), scaled so the anti-flapping rule
    // DOWNSCALE_MARGIN − UPSCALE_MARGIN > GAMESERVER_CAPACITY always holds.
    const upscale = Math.ceil(o.sessionsPerServer * 0.4);
    const downscale = upscale + o.sessionsPerServer + upscale;
    const awsvpc: Record<string, string> = ec2Mode
      ? {}
      : {
          ECS_SUBNETS: this.network.gameserverSubnets.map((s) => s.subnetId).join(','),
          ECS_SECURITY_GROUPS: this.network.gameserverSecurityGroup.securityGroupId,
          ECS_ASSIGN_PUBLIC_IP: 'true',
        };
    return {
      ARBITER_BACKEND: 'ecs',
      FLEET_ID: o.fleetId,
      AWS_REGION: this.region,
      ECS_CLUSTER: this.cluster.clusterName,
      GAMESERVER_TASK_DEFINITION: this.gameserver.taskDefinition.family,
      ECS_LAUNCH_TYPE: ec2Mode ? 'EC2' : 'FARGATE',
      ECS_NETWORK_MODE: this.gameserver.networkMode,
      ...awsvpc,
      ...(ec2Mode ? { ECS_INSTANCE_LAUNCH_TEMPLATE: o.launchTemplateName } : {}),
      ECS_ADDRESS: 'public',
      ECS_POLL_ADDRESS: 'private',
      GAMESERVER_GAME_PORT: String(o.ports.game),
      GAMESERVER_WEB_PORT: String(o.ports.web),
      GAMESERVER_HEALTH_PORT: String(o.ports.web),
      GAMESERVER_CAPACITY: String(o.sessionsPerServer),
      UPSCALE_MARGIN: String(upscale),
      DOWNSCALE_MARGIN: String(downscale),
      MIN_SERVERS: String(o.minServers),
      MAX_SERVERS: String(o.maxServers),
    };
  }

  /** `name` or `name:tag` is an ECR repository of this account; anything with a `/` is pulled as written. */
  private cerveauImage(ref: string): ecs.ContainerImage {
    if (ref.includes('/')) return ecs.ContainerImage.fromRegistry(ref);
    const [name = ref, tag = 'latest'] = ref.split(':');
    return ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(this, 'CerveauRepository', name), tag);
  }
}

function launchTemplateArn(stack: Stack, capacity: Ec2Capacity): string {
  return stack.formatArn({ service: 'ec2', resource: 'launch-template', resourceName: capacity.launchTemplate.launchTemplateId ?? '*' });
}
