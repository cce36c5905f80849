import { describe, expect, it } from 'vitest';
import { DeployOptionsError, parseDeployOptions } from '../../infra/deploy-options.js';
import { buildApp } from '../../infra/app.js';

// Every row but the access rows below names who may reach the API; without that the synth refuses.
const ACCESS = { apiCidr: '198.51.100.0/24' };
const fromContext = (context: Record<string, unknown>) => parseDeployOptions((key) => ({ ...ACCESS, ...context })[key]);

function problemsOf(context: Record<string, unknown>): string[] {
  try {
    fromContext(context);
  } catch (err) {
    if (err instanceof DeployOptionsError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseDeployOptions', () => {
  it('has cheap, working defaults: a new VPC without NAT, Fargate, the seed\'s ports and capacity', () => {
    expect(fromContext({})).toMatchObject({
      stackName: 'Arbiter',
      fleetId: 'arbiter',
      vpcId: undefined,
      natGateways: 0,
      clientCidr: '0.0.0.0/0',
      launchMode: 'fargate',
      launchTemplateName: 'defaultECS',
      ports: { game: 3000, web: 3090, cerveauHttp: 3080 },
      sessionsPerServer: 10,
      logRetentionDays: 14,
      adminTokenSecretName: undefined,
    });
  });

  it('reads command-line strings and cdk.json values alike', () => {
    const fromCli = fromContext({ sessionsPerServer: '6', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb', vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b' });
    const fromJson = fromContext({ sessionsPerServer: 6, publicSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.publicSubnetIds).toEqual(['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']);
    expect(fromCli.sessionsPerServer).toBe(6);
  });

  it.each([
    { name: 'a certificate alone: HTTPS for anyone', context: { apiCidr: undefined, certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' }, want: { apiCidr: undefined } },
    { name: 'a CIDR alone: plain HTTP for that range', context: { apiCidr: '203.0.113.0/24' }, want: { apiCidr: '203.0.113.0/24', certificateArn: undefined } },
  ])('accepts $name', ({ context, want }) => {
    expect(fromContext(context)).toMatchObject(want);
  });

  it('treats empty values as unset', () => {
    expect(fromContext({ vpcId: '', imageTag: '' })).toMatchObject({ vpcId: undefined, imageTag: 'latest' });
  });

  it.each([
    { name: 'unknown launch mode', context: { launchMode: 'lambda' }, want: /^launchMode: expected fargate or ec2 \(got "lambda"\)/ },
    { name: 'fleet id too long for startedBy', context: { fleetId: 'x'.repeat(37) }, want: /^fleetId: expected 1 to 36/ },
    { name: 'bad CIDR', context: { clientCidr: '10.0.0.0' }, want: /^clientCidr: expected an IPv4 CIDR/ },
    { name: 'bad VPC id', context: { vpcId: 'my-vpc' }, want: /^vpcId: expected a VPC id/ },
    { name: 'bad port', context: { gamePort: '70000' }, want: /^gamePort: expected a whole number from 1 to 65535/ },
    { name: 'retention CloudWatch refuses', context: { logRetentionDays: 10 }, want: /^logRetentionDays: expected one of 1, 3, 5/ },
    { name: 'colliding ports', context: { webPort: 3080 }, want: /^gamePort, webPort, cerveauHttpPort: must differ \(got 3000, 3080, 3080\)/ },
    { name: 'min above max', context: { minServers: 5, maxServers: 2 }, want: /^minServers: must not exceed maxServers/ },
    { name: 'subnets without a VPC', context: { publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaaa' }, want: /^publicSubnetIds: only meaningful with vpcId/ },
    {
      name: 'subnets without zones',
      context: { vpcId: 'vpc-0123456789abcdef0', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaaa' },
      want: /^availabilityZones: required with vpcId and publicSubnetIds/,
    },
    {
      name: 'zones and subnets of different lengths',
      context: { vpcId: 'vpc-0123456789abcdef0', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb', availabilityZones: 'eu-west-1a' },
      want: /^availabilityZones: expected one zone per public subnet \(got 1 zones for 2 subnets\)/,
    },
    { name: 'certificate that is not ACM', context: { certificateArn: 'arn:aws:iam::1:server-certificate/x' }, want: /^certificateArn: expected an ACM/ },
    { name: 'plain HTTP with no allowed CIDR', context: { apiCidr: undefined }, want: /^certificateArn or apiCidr: give an ACM certificate/ },
    { name: 'bad API CIDR', context: { apiCidr: '10.0.0.0/33' }, want: /^apiCidr: expected an IPv4 CIDR/ },
    { name: 'bad alarm address', context: { alarmEmail: 'oncall' }, want: /^alarmEmail: expected an email address/ },
  ])('refuses $name with a message naming the key', ({ context, want }) => {
    const problems = problemsOf(context);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(want);
  });

  it('reports every bad key at once', () => {
    const problems = problemsOf({ launchMode: 'x', natGateways: 9, instanceType: 'big' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['instanceType', 'launchMode', 'natGateways']);
  });

  it('names itself in the error', () => {
    expect(() => fromContext({ natGateways: -1 })).toThrowError(/invalid deployment context:\n {2}natGateways:/);
    try {
      fromContext({ natGateways: -1 });
    } catch (err) {
      expect((err as Error).name).toBe('DeployOptionsError');
    }
  });
});

describe('buildApp', () => {
  it('refuses a VPC lookup it cannot perform, before synthesizing anything', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    delete process.env.CDK_DEFAULT_ACCOUNT;
    delete process.env.CDK_DEFAULT_REGION;
    try {
      expect(() => buildApp({ ...ACCESS, vpcId: 'vpc-0123456789abcdef0' })).toThrowError(/vpcId: a lookup by id needs an account and region/);
    } finally {
      if (saved.account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved.account;
      if (saved.region !== undefined) process.env.CDK_DEFAULT_REGION = saved.region;
    }
  });
});
