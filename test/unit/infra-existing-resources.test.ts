import { beforeAll, describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import { parseConfig } from '../../src/config/config.js';
import { container, environmentOf, resources, withPlaceholders } from '../../infra/testing/template-queries.js';

// One synth of a deployment into existing resources: a VPC described by id and subnets (so no
// lookup), tokens that already live in Secrets Manager, HTTPS, and a narrowed client range.
const context = {
  vpcId: 'vpc-0123456789abcdef0',
  publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb',
  availabilityZones: 'eu-west-1a,eu-west-1b',
  adminTokenSecretName: 'arbiter/admin-token',
  allocateTokenSecretName: 'arbiter/allocate-token',
  heartbeatTokenSecretName: 'arbiter/heartbeat-token',
  sidecarTokenSecretName: 'arbiter/sidecar-token',
  certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
  clientCidr: '203.0.113.0/24',
  sessionsPerServer: '6',
  fleetId: 'tournament',
};
let template: Template;
beforeAll(() => {
  template = Template.fromStack(buildApp(context).stack);
}, 120_000); // a synth takes seconds, far more on a busy machine

describe('deployment into an existing VPC', () => {
  it('creates no VPC and hands the given subnets to the manager', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 0);
    expect(environmentOf(container(template, 'manager')).ECS_SUBNETS).toBe('subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb');
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'] }) },
    });
  });

  it('opens the game port to the configured range only, the sidecar to the manager group only', () => {
    const sg = resources(template, 'AWS::EC2::SecurityGroup').find(([, r]) =>
      String(r.Properties?.GroupDescription).startsWith('Arbiter gameservers'),
    )!;
    const ingress = sg[1].Properties!.SecurityGroupIngress as { FromPort: number; CidrIp?: string }[];
    expect(ingress.map((r) => [r.FromPort, r.CidrIp]).sort()).toEqual([
      [3000, '203.0.113.0/24'],
    ]);
  });
});

describe('existing secrets and HTTPS', () => {
  it('imports every token by name, generates none, and injects them as ECS secrets', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const secrets = container(template, 'manager').Secrets ?? [];
    expect(secrets.map((s) => s.Name).sort()).toEqual(['ARBITER_ADMIN_TOKEN', 'ARBITER_ALLOCATE_TOKEN', 'ARBITER_HEARTBEAT_TOKEN', 'ARBITER_SIDECAR_TOKEN']);
    const admin = JSON.stringify(secrets.find((s) => s.Name === 'ARBITER_ADMIN_TOKEN')?.ValueFrom);
    expect(admin).toContain(':secret:arbiter/admin-token');
    const env = environmentOf(container(template, 'manager'));
    expect(Object.keys(env).filter((k) => /TOKEN/.test(k))).toEqual([]);
  });

  it('lets only the execution role read them', () => {
    const readers = resources(template, 'AWS::IAM::Policy').filter(([, r]) =>
      JSON.stringify(r.Properties?.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^GameserverTaskDefinitionExecutionRole/),
      expect.stringMatching(/^ManagerTaskDefinitionExecutionRole/),
    ]);
  });

  it('serves HTTPS with the certificate and redirects HTTP', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: context.certificateArn }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
  });
});

describe('capacity from the context', () => {
  it('gives the sidecar and the manager the same sessions per server, with margins that do not flap', () => {
    expect(environmentOf(container(template, 'sidecar')).MAX_SESSIONS).toBe('6');
    const env = environmentOf(container(template, 'manager'));
    expect(env).toMatchObject({ FLEET_ID: 'tournament', GAMESERVER_CAPACITY: '6' });
    const config = parseConfig({ ...withPlaceholders(env), ARBITER_ADMIN_TOKEN: 'x'.repeat(32) });
    expect(config.scaling.downscaleMargin - config.scaling.upscaleMargin).toBeGreaterThan(config.scaling.capacity);
  });
});
