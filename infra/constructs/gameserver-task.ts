// The gameserver task: Cerveau in arena mode, and the sidecar in front of its web API that adds
// the session limit and the /health/ contract the manager polls (design §3.1, §5).
import { Construct } from 'constructs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { GameserverPorts } from '../deploy-options.js';

export const CERVEAU_CONTAINER = 'cerveau';
export const SIDECAR_CONTAINER = 'sidecar';

export interface GameserverTaskProps {
  family: string;
  launchMode: 'fargate' | 'ec2';
  cerveauImage: ecs.ContainerImage;
  /** The project's image; the sidecar is one of its commands. */
  projectImage: ecs.ContainerImage;
  ports: GameserverPorts;
  sessionsPerServer: number;
  cpu: number;
  memoryMiB: number;
  logRetentionDays: number;
  /** The manager's ARBITER_SIDECAR_TOKEN: the sidecar refuses drains without it. */
  sidecarToken?: secretsmanager.ISecret;
}

export class GameserverTask extends Construct {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly executionRole: iam.IRole;
  readonly taskRole: iam.IRole;
  readonly networkMode: 'awsvpc' | 'bridge';

  constructor(scope: Construct, id: string, props: GameserverTaskProps) {
    super(scope, id);
    const { ports } = props;
    const ec2Mode = props.launchMode === 'ec2';
    this.networkMode = ec2Mode ? 'bridge' : 'awsvpc';

    this.taskDefinition = ec2Mode
      ? new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { family: props.family, networkMode: ecs.NetworkMode.BRIDGE })
      : new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
          family: props.family,
          cpu: props.cpu,
          memoryLimitMiB: props.memoryMiB,
        });

    // Kept when the stack is deleted, like the manager's: a finished game's story is in them.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // EC2 task definitions need per-container memory; Fargate shares the task's.
    const sidecarMemory = Math.min(256, Math.floor(props.memoryMiB / 4));
    const memory = (mib: number) => (ec2Mode ? { memoryReservationMiB: mib } : {});
    // With bridge networking each task runs alone on its instance (the seed's distinctInstance
    // placement), so static host ports keep the security group rules exact.
    const mapping = (port: number) => ({ containerPort: port, ...(ec2Mode ? { hostPort: port } : {}), protocol: ecs.Protocol.TCP });

    const cerveau = this.taskDefinition.addContainer(CERVEAU_CONTAINER, {
      containerName: CERVEAU_CONTAINER,
      image: props.cerveauImage,
      essential: true,
      // Cerveau reads its options from env vars named after them (TCP_PORT, HTTP_PORT, ARENA_MODE).
      environment: {
        ARENA_MODE: 'true',
        TCP_PORT: String(ports.game),
        HTTP_PORT: String(ports.cerveauHttp),
      },
      portMappings: [mapping(ports.game)],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: CERVEAU_CONTAINER }),
      ...memory(props.memoryMiB - sidecarMemory),
    });

    // awsvpc: both containers share one network namespace, so the sidecar finds Cerveau on
    // 127.0.0.1. bridge: each container has its own, and a link gives Cerveau a host name.
    const cerveauHost = ec2Mode ? CERVEAU_CONTAINER : '127.0.0.1';
    const sidecar = this.taskDefinition.addContainer(SIDECAR_CONTAINER, {
      containerName: SIDECAR_CONTAINER,
      image: props.projectImage,
      command: ['node', 'dist/src/sidecar/main.js'],
      essential: true,
      environment: {
        SIDECAR_PORT: String(ports.web),
        SIDECAR_HOST: '0.0.0.0',
        CERVEAU_URL: `http://${cerveauHost}:${ports.cerveauHttp}`,
        MAX_SESSIONS: String(props.sessionsPerServer),
        LOG_LEVEL: 'info',
      },
      ...(props.sidecarToken ? { secrets: { ARBITER_SIDECAR_TOKEN: ecs.Secret.fromSecretsManager(props.sidecarToken) } } : {}),
      portMappings: [mapping(ports.web)],
      healthCheck: {
        // The image has node but no curl.
        command: ['CMD', 'node', '-e', httpProbe(`http://127.0.0.1:${ports.web}/health/`)],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: SIDECAR_CONTAINER }),
      ...memory(sidecarMemory),
    });
    if (ec2Mode) sidecar.addLink(cerveau);
    sidecar.addContainerDependencies({ container: cerveau, condition: ecs.ContainerDependencyCondition.START });

    this.taskRole = this.taskDefinition.taskRole;
    this.executionRole = this.taskDefinition.obtainExecutionRole();
  }
}

/** A one-line node script that exits 0 when `url` answers 2xx within 4 s. */
export function httpProbe(url: string): string {
  return `fetch('${url}',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
}
