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
  type PolicyStatement,
} from '../../infra/testing/template-queries.js';

// One synth of the seed's EC2 mode, shared by every assertion below.
let template: Template;
let statements: PolicyStatement[];
let clusterId: string;
let launchTemplateId: string;

beforeAll(() => {
  template = Template.fromStack(buildApp({ launchMode: 'ec2', apiCidr: '198.51.100.0/24' }).stack);
  statements = statementsOf(template, 'ManagerPolicy');
  clusterId = resources(template, 'AWS::ECS::Cluster')[0]![0];
  launchTemplateId = resources(template, 'AWS::EC2::LaunchTemplate')[0]![0];
}, 120_000); // a synth takes seconds, far more on a busy machine

describe('launch template defaultECS', () => {
  it('starts an ECS-optimized instance that joins the cluster', () => {
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateName: 'defaultECS',
      LaunchTemplateData: Match.objectLike({
        InstanceType: 't3.small',
        ImageId: { Ref: Match.stringLikeRegexp('ecsoptimized') },
        IamInstanceProfile: Match.anyValue(),
        MetadataOptions: Match.objectLike({ HttpTokens: 'required' }),
      }),
    });
    const data = resources(template, 'AWS::EC2::LaunchTemplate')[0]![1].Properties!.LaunchTemplateData as {
      UserData: { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } };
    };
    const parts = data.UserData['Fn::Base64']['Fn::Join'][1];
    expect(parts).toContainEqual({ Ref: clusterId });
    expect(parts.filter((p) => typeof p === 'string').join('')).toContain('ECS_CLUSTER=');
    expect(parts.filter((p) => typeof p === 'string').join('')).toContain('/etc/ecs/ecs.config');
  });

  it('puts the instance in a public subnet with the gameserver security group', () => {
    const data = resources(template, 'AWS::EC2::LaunchTemplate')[0]![1].Properties!.LaunchTemplateData as {
      NetworkInterfaces: Record<string, unknown>[];
    };
    const [sgId] = resources(template, 'AWS::EC2::SecurityGroup').find(([, r]) =>
      String(r.Properties?.GroupDescription).startsWith('Arbiter gameservers'),
    )!;
    expect(data.NetworkInterfaces).toEqual([
      expect.objectContaining({
        DeviceIndex: 0,
        AssociatePublicIpAddress: true,
        Groups: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
        SubnetId: { Ref: expect.stringMatching(/^NetworkVpcpublicSubnet1/) },
      }),
    ]);
  });
});

describe('gameserver task definition in bridge mode', () => {
  it('is an EC2 task with bridge networking', () => {
    expect(taskDefinitionWith(template, 'cerveau')).toMatchObject({
      NetworkMode: 'bridge',
      RequiresCompatibilities: ['EC2'],
    });
  });

  it('maps static host ports and links the sidecar to Cerveau by name', () => {
    expect(container(template, 'cerveau').PortMappings).toEqual([{ ContainerPort: 3000, HostPort: 3000, Protocol: 'tcp' }]);
    const sidecar = container(template, 'sidecar');
    expect(sidecar.PortMappings).toEqual([{ ContainerPort: 3090, HostPort: 3090, Protocol: 'tcp' }]);
    expect(sidecar.Links).toEqual(['cerveau']);
    expect(environmentOf(sidecar).CERVEAU_URL).toBe('http://cerveau:3080');
  });
});

describe('manager in EC2 mode', () => {
  it('is told the launch template, the EC2 launch type and bridge networking', () => {
    const env = environmentOf(container(template, 'manager'));
    expect(env).toMatchObject({
      ECS_LAUNCH_TYPE: 'EC2',
      ECS_NETWORK_MODE: 'bridge',
      ECS_INSTANCE_LAUNCH_TEMPLATE: 'defaultECS',
    });
    expect(env).not.toHaveProperty('ECS_SUBNETS');
    const config = parseConfig({ ...withPlaceholders(env), ARBITER_ADMIN_TOKEN: 'x'.repeat(32) });
    expect(config.ecs).toMatchObject({ launchType: 'EC2', networkMode: 'bridge', instanceLaunchTemplate: 'defaultECS' });
  });

  it('may start instances only from its launch template', () => {
    const s = statementWithAction(statements, 'ec2:RunInstances');
    expect(s.Condition).toEqual({
      ArnLike: {
        'ec2:LaunchTemplate': {
          'Fn::Join': ['', expect.arrayContaining([':launch-template/', { Ref: launchTemplateId }])],
        },
      },
    });
  });

  it('may tag only while launching, and terminate only instances of its fleet', () => {
    expect(statementWithAction(statements, 'ec2:CreateTags').Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'RunInstances' },
    });
    const terminate = statementWithAction(statements, 'ec2:TerminateInstances');
    expect(terminate.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/arbiter:fleet': 'arbiter' } });
    expect(JSON.stringify(terminate.Resource)).toContain(':instance/*');
  });

  it('reads container instances of its cluster and EC2 instances', () => {
    expect(statementWithAction(statements, 'ecs:ListContainerInstances').Resource).toEqual({
      'Fn::GetAtt': [clusterId, 'Arn'],
    });
    const describe = statementWithAction(statements, 'ecs:DescribeContainerInstances');
    expect(describe.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [clusterId, 'Arn'] } } });
    expect(statementWithAction(statements, 'ec2:DescribeInstances').Resource).toBe('*');
  });

  it('passes the instance role to EC2 and nothing else beyond the gameserver roles', () => {
    const passes = statements.filter((s) => actionsOf(s).includes('iam:PassRole'));
    expect(passes.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    ]);
    const [instanceRoleId] = resources(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('Ec2CapacityInstanceRole'))!;
    expect(passes[1]!.Resource).toEqual({ 'Fn::GetAtt': [instanceRoleId, 'Arn'] });
  });

  it('still has no broad ECS grant', () => {
    expect(broadEcsGrants(statementsOf(template, ''))).toEqual([]);
  });
});
