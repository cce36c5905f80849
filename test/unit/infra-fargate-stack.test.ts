import { beforeAll, describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import { parseConfig } from '../../src/config/config.js';
import {
  actionsOf,
  broadEcsGrants,
  container,
  environmentOf,
  resources,
  statementsOf,
  statementWithAction,
  taskDefinitionWith,
  withPlaceholders,
  type ContainerDefinition,
  type PolicyStatement,
} from '../../infra/testing/template-queries.js';

// One synth of the default (Fargate) variant, plain HTTP limited to one range (the synth requires a
// certificate or a range), shared by every assertion below.
let template: Template;
let statements: PolicyStatement[];
let clusterId: string;
let roleIds: { gameserverTask: string; gameserverExecution: string; managerTask: string };

beforeAll(() => {
  template = Template.fromStack(buildApp({ apiCidr: '198.51.100.0/24' }).stack);
  statements = statementsOf(template, 'ManagerPolicy');
  clusterId = resources(template, 'AWS::ECS::Cluster')[0]![0];
  const roles = resources(template, 'AWS::IAM::Role').map(([id]) => id);
  const find = (prefix: string) => roles.find((id) => id.startsWith(prefix))!;
  roleIds = {
    gameserverTask: find('GameserverTaskDefinitionTaskRole'),
    gameserverExecution: find('GameserverTaskDefinitionExecutionRole'),
    managerTask: find('ManagerTaskDefinitionTaskRole'),
  };
}, 120_000); // a synth takes seconds, far more on a busy machine

describe('manager service', () => {
  it('runs exactly one manager and never two at once during a deploy', () => {
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 0, MaximumPercent: 100 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
    });
  });

  it('sits behind a load balancer that checks /healthz on the manager port', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8000,
      HealthCheckPath: '/healthz',
      TargetType: 'ip',
    });
    expect(container(template, 'manager').HealthCheck?.Command.join(' ')).toContain('http://127.0.0.1:8000/healthz');
  });

  it('is wired to the cluster, the gameserver task definition, its subnets and security group', () => {
    const env = environmentOf(container(template, 'manager'));
    const sg = resources(template, 'AWS::EC2::SecurityGroup').find(([, r]) =>
      String(r.Properties?.GroupDescription).startsWith('Arbiter gameservers'),
    );
    expect(env).toMatchObject({
      ARBITER_BACKEND: 'ecs',
      FLEET_ID: 'arbiter',
      ECS_CLUSTER: { Ref: clusterId },
      GAMESERVER_TASK_DEFINITION: taskDefinitionWith(template, 'cerveau').Family,
      ECS_LAUNCH_TYPE: 'FARGATE',
      ECS_NETWORK_MODE: 'awsvpc',
      ECS_SECURITY_GROUPS: { 'Fn::GetAtt': [sg?.[0], 'GroupId'] },
      ECS_ASSIGN_PUBLIC_IP: 'true',
      GAMESERVER_GAME_PORT: '3000',
      GAMESERVER_WEB_PORT: '3090',
      GAMESERVER_HEALTH_PORT: '3090',
      GAMESERVER_CAPACITY: '10',
      PORT: '8000',
    });
    const subnets = resources(template, 'AWS::EC2::Subnet').map(([id]) => ({ Ref: id }));
    expect(subnets).toHaveLength(2);
    expect(env.ECS_SUBNETS).toEqual({ 'Fn::Join': ['', [subnets[0], ',', subnets[1]]] });
    expect(env).not.toHaveProperty('ECS_INSTANCE_LAUNCH_TEMPLATE');
  });

  it('hands the manager an environment its own config parser accepts, in ECS awsvpc mode', () => {
    const env = withPlaceholders(environmentOf(container(template, 'manager')));
    const config = parseConfig({ ...env, ARBITER_ADMIN_TOKEN: 'x'.repeat(32) });
    expect(config.backend).toBe('ecs');
    expect(config.ecs).toMatchObject({ launchType: 'FARGATE', networkMode: 'awsvpc', address: 'public' });
    expect(config.ports).toEqual({ game: 3000, web: 3090, health: 3090 });
    expect(config.scaling).toMatchObject({ capacity: 10, upscaleMargin: 4, downscaleMargin: 18 });
  });
});

describe('tokens', () => {
  const tokenName = /TOKEN|SECRET|PASSWORD/i;

  it('reach the manager as ECS secrets from Secrets Manager', () => {
    const manager = container(template, 'manager');
    const ids = resources(template, 'AWS::SecretsManager::Secret').map(([id]) => id);
    const adminId = ids.find((id) => id.startsWith('ManagerAdminToken'));
    const sidecarId = ids.find((id) => id.startsWith('SidecarToken'));
    expect(manager.Secrets).toEqual([
      { Name: 'ARBITER_ADMIN_TOKEN', ValueFrom: { Ref: adminId } },
      { Name: 'ARBITER_SIDECAR_TOKEN', ValueFrom: { Ref: sidecarId } },
    ]);
    // the sidecar requires the same secret on /drain/ and /undrain/
    expect(container(template, 'sidecar').Secrets).toEqual([{ Name: 'ARBITER_SIDECAR_TOKEN', ValueFrom: { Ref: sidecarId } }]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
    });
  });

  it('never appear in any container\'s plain environment', () => {
    const all = resources(template, 'AWS::ECS::TaskDefinition').flatMap(
      ([, r]) => r.Properties!.ContainerDefinitions as ContainerDefinition[],
    );
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const c of all) {
      expect((c.Environment ?? []).map((e) => e.Name).filter((n) => tokenName.test(n))).toEqual([]);
    }
  });
});

describe('gameserver task definition', () => {
  it('is a Fargate awsvpc task sized from the context defaults', () => {
    expect(taskDefinitionWith(template, 'cerveau')).toMatchObject({
      Family: 'arbiter-gameserver',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '512',
      Memory: '1024',
    });
  });

  it('runs Cerveau in arena mode on the game port with its web port kept inside the task', () => {
    const cerveau = container(template, 'cerveau');
    expect(cerveau.Essential).toBe(true);
    expect(environmentOf(cerveau)).toEqual({ ARENA_MODE: 'true', TCP_PORT: '3000', HTTP_PORT: '3080' });
    expect(cerveau.PortMappings).toEqual([{ ContainerPort: 3000, Protocol: 'tcp' }]);
  });

  it('runs the sidecar from the project image in front of Cerveau\'s web port', () => {
    const sidecar = container(template, 'sidecar');
    expect(sidecar.Command).toEqual(['node', 'dist/src/sidecar/main.js']);
    expect(sidecar.Image).toEqual(container(template, 'manager').Image);
    expect(environmentOf(sidecar)).toMatchObject({
      SIDECAR_PORT: '3090',
      CERVEAU_URL: 'http://127.0.0.1:3080',
      MAX_SESSIONS: '10',
    });
    expect(sidecar.PortMappings).toEqual([{ ContainerPort: 3090, Protocol: 'tcp' }]);
    expect(sidecar.HealthCheck?.Command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(sidecar.HealthCheck?.Command[3]).toContain('http://127.0.0.1:3090/health/');
  });

  it('logs every container to CloudWatch with a retention period', () => {
    for (const name of ['cerveau', 'sidecar', 'manager']) {
      expect(container(template, name).LogConfiguration?.LogDriver).toBe('awslogs');
    }
    const groups = resources(template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [, g] of groups) expect(g.Properties?.RetentionInDays).toBe(14);
  });
});

describe('network', () => {
  it('creates a small VPC: two public subnets and no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('opens the game port to clients, the sidecar to the manager group only, Cerveau\'s own web port to nobody', () => {
    const sg = resources(template, 'AWS::EC2::SecurityGroup').find(([, r]) =>
      String(r.Properties?.GroupDescription).startsWith('Arbiter gameservers'),
    )!;
    const ingress = sg[1].Properties!.SecurityGroupIngress as { FromPort: number; ToPort: number; CidrIp?: string }[];
    expect(ingress.map((r) => [r.FromPort, r.ToPort, r.CidrIp]).sort()).toEqual([
      [3000, 3000, '0.0.0.0/0'],
    ]);
    const rules = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties!);
    expect(rules.some((r) => r.FromPort === 3080)).toBe(false);
  });

  it('lets the manager\'s security group reach the health port', () => {
    const [managerSg] = resources(template, 'AWS::EC2::SecurityGroup').find(([, r]) =>
      String(r.Properties?.GroupDescription) === 'Arbiter manager',
    )!;
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 3090,
      ToPort: 3090,
      SourceSecurityGroupId: { 'Fn::GetAtt': [managerSg, 'GroupId'] },
    });
  });
});

const clusterArn = () => ({ 'Fn::GetAtt': [clusterId, 'Arn'] });
const inCluster = () => ({ ArnEquals: { 'ecs:cluster': clusterArn() } });
/** The joined string of an Fn::Join ARN, with intrinsic parts shown as {Ref}. */
const arnText = (v: unknown): string =>
  (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
    .map((p) => (typeof p === 'string' ? p : `{${JSON.stringify(p)}}`))
    .join('');

describe('manager task role', () => {
  it('is attached to the manager\'s task role only', () => {
    const [, policy] = resources(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('ManagerPolicy'))!;
    expect(policy.Properties?.Roles).toEqual([{ Ref: roleIds.managerTask }]);
  });

  it('grants exactly the actions the ECS backend calls in Fargate mode', () => {
    expect(statements.flatMap(actionsOf).sort()).toEqual(
      [
        'ec2:DescribeNetworkInterfaces',
        'ecs:DescribeTasks',
        'ecs:ListTasks',
        'ecs:RunTask',
        'ecs:StopTask',
        'ecs:TagResource',
        'ecs:UntagResource',
        'iam:PassRole',
      ].sort(),
    );
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('has no ECS wildcard and no mutating ECS action on every resource, in any policy of the stack', () => {
    expect(broadEcsGrants(statementsOf(template, ''))).toEqual([]);
  });

  it('runs only the gameserver task definition family, only in its cluster', () => {
    const s = statementWithAction(statements, 'ecs:RunTask');
    expect(arnText(s.Resource)).toMatch(/:task-definition\/arbiter-gameserver:\*$/);
    expect(s.Condition).toEqual(inCluster());
  });

  it.each(['ecs:StopTask', 'ecs:DescribeTasks'])('%s is limited to tasks of the cluster', (action) => {
    const s = statementWithAction(statements, action);
    expect(arnText(s.Resource)).toContain(`:task/{${JSON.stringify({ Ref: clusterId })}}/*`);
    expect(s.Condition).toEqual(inCluster());
  });

  it.each(['ecs:TagResource', 'ecs:UntagResource'])('%s is limited to tasks of the cluster', (action) => {
    const s = statementWithAction(statements, action);
    expect(arnText(s.Resource)).toContain(`:task/{${JSON.stringify({ Ref: clusterId })}}/*`);
    expect(s.Condition).toEqual({ ArnEqualsIfExists: { 'ecs:cluster': clusterArn() } });
  });

  it('lists tasks of its cluster only', () => {
    const s = statementWithAction(statements, 'ecs:ListTasks');
    expect(s.Condition).toEqual(inCluster());
  });

  it('passes only the gameserver\'s task and execution roles, only to ECS tasks', () => {
    const s = statementWithAction(statements, 'iam:PassRole');
    expect(s.Resource).toEqual([
      { 'Fn::GetAtt': [roleIds.gameserverTask, 'Arn'] },
      { 'Fn::GetAtt': [roleIds.gameserverExecution, 'Arn'] },
    ]);
    expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  it('has no EC2 instance permissions outside EC2 mode', () => {
    const ec2Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('ec2:'));
    expect(ec2Actions).toEqual(['ec2:DescribeNetworkInterfaces']);
  });
});
