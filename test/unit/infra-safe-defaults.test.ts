import { beforeAll, describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import { FLEET_METRIC_FIELDS, FLEET_METRICS_MESSAGE } from '../../infra/constructs/manager-alarms.js';
import { METRICS_LINE_MESSAGE } from '../../src/manager/metrics-line.js';
import { container, environmentOf, resources, type CfnResource } from '../../infra/testing/template-queries.js';

// Two synths: plain HTTP limited to one range (the least a deploy must say), and HTTPS for anyone with an
// alarm address and a fleet that may shrink to nothing.
const API_CIDR = '198.51.100.0/24';
const CERTIFICATE = 'arn:aws:acm:eu-west-1:111122223333:certificate/abc';
let plain: Template;
let https: Template;
// A synth takes seconds, and far more on a busy machine.
beforeAll(() => {
  plain = Template.fromStack(buildApp({ apiCidr: API_CIDR }).stack);
  https = Template.fromStack(buildApp({ certificateArn: CERTIFICATE, alarmEmail: 'oncall@example.com', minServers: 0 }).stack);
}, 120_000);

interface Ingress {
  CidrIp?: string;
  CidrIpv6?: string;
  FromPort?: number;
  ToPort?: number;
  IpProtocol: string;
}

/** Every ingress rule of the template: inline in security groups and as separate resources. */
function ingressRules(template: Template): Ingress[] {
  const inline = resources(template, 'AWS::EC2::SecurityGroup').flatMap(([, r]) => (r.Properties?.SecurityGroupIngress as Ingress[] | undefined) ?? []);
  const separate = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties as unknown as Ingress);
  return [...inline, ...separate];
}

const covers = (rule: Ingress, port: number) =>
  rule.IpProtocol === '-1' || ((rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535));
const fromAnywhere = (rule: Ingress) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';

function listeners(template: Template): Record<string, unknown>[] {
  return resources(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties!);
}

describe('access to the manager', () => {
  it('refuses to synthesize plain HTTP without an allowed range', () => {
    expect(() => buildApp({})).toThrowError(/certificateArn or apiCidr: give an ACM certificate/);
  });

  it('without a certificate: plain HTTP on 80, reachable only from apiCidr', () => {
    expect(listeners(plain)).toEqual([expect.objectContaining({ Port: 80, Protocol: 'HTTP', DefaultActions: [expect.objectContaining({ Type: 'forward' })] })]);
    const web = ingressRules(plain).filter((r) => covers(r, 80));
    expect(web).toEqual([expect.objectContaining({ CidrIp: API_CIDR, FromPort: 80, ToPort: 80 })]);
  });

  it.each([
    { name: 'plain HTTP', ports: [80, 443, 8000] },
    { name: 'HTTPS', ports: [8000] },
  ])('no rule lets the whole internet reach the manager ($name)', ({ name, ports }) => {
    const template = name === 'HTTPS' ? https : plain;
    const open = ingressRules(template).filter((r) => fromAnywhere(r) && ports.some((p) => covers(r, p)));
    expect(open).toEqual([]);
  });

  it('the manager task itself admits only the load balancer', () => {
    const rules = ingressRules(plain).filter((r) => covers(r, 8000));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ SourceSecurityGroupId: expect.anything() });
    expect(rules[0]).not.toHaveProperty('CidrIp');
  });

  it('with a certificate: HTTPS on 443 with a current TLS policy, and port 80 only redirects to it', () => {
    const all = listeners(https);
    expect(all).toHaveLength(2);
    expect(all).toContainEqual(
      expect.objectContaining({
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: CERTIFICATE }],
        SslPolicy: expect.stringMatching(/^ELBSecurityPolicy-TLS13/),
        DefaultActions: [expect.objectContaining({ Type: 'forward' })],
      }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) }],
      }),
    );
    const outputs = Object.entries(https.toJSON().Outputs as Record<string, { Value: unknown }>);
    const url = outputs.find(([id]) => id.startsWith('ManagerManagerUrl'))?.[1].Value;
    expect(JSON.stringify(url)).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",/);
  });
});

describe('alarms', () => {
  const alarmsOf = (template: Template) => resources(template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);

  it('has the four alarms, each telling the SNS topic when it fires and when it clears', () => {
    const alarms = alarmsOf(plain);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      ['Arbiter-BackupHandOuts', 'Arbiter-LaunchFailures', 'Arbiter-NoServerInRotation', 'Arbiter-StaleTicks'],
    );
    const [topicId] = resources(plain, 'AWS::SNS::Topic')[0]!;
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
    plain.resourceCountIs('AWS::SNS::Subscription', 0);
    plain.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it.each([
    { name: 'NoServerInRotation', want: { MetricName: 'ServersInRotation', Statistic: 'Maximum', ComparisonOperator: 'LessThanThreshold', Threshold: 1, TreatMissingData: 'missing' } },
    { name: 'BackupHandOuts', want: { MetricName: 'BackupAllocations', Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 } },
    // A manager that writes nothing is as stale as one whose loop is stuck.
    { name: 'StaleTicks', want: { MetricName: 'TickStale', Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'breaching' } },
  ])('$name watches the fleet metric of this fleet', ({ name, want }) => {
    const alarm = alarmsOf(plain).find((a) => a.AlarmName === `Arbiter-${name}`);
    expect(alarm).toMatchObject({ Namespace: 'Arbiter', Dimensions: [{ Name: 'FleetId', Value: 'arbiter' }], ...want });
  });

  it('LaunchFailures counts refused launches and servers that died before they were healthy', () => {
    const alarm = alarmsOf(plain).find((a) => a.AlarmName === 'Arbiter-LaunchFailures')!;
    const metrics = alarm.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }>;
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.MetricName).sort()).toEqual(['LaunchFailures', 'StartFailures']);
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('FILL(launch, 0) + FILL(start, 0)');
    expect(alarm).toMatchObject({ Threshold: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('has no "no server in rotation" alarm when the fleet may be empty, and subscribes the alarm address', () => {
    expect(alarmsOf(https).map((a) => a.AlarmName)).not.toContain('Arbiter-NoServerInRotation');
    expect(alarmsOf(https)).toHaveLength(3);
    https.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('reads its metrics from the manager log lines the manager is told to write', () => {
    const [managerLogs] = resources(plain, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('ManagerLogs'))!;
    const filters = resources(plain, 'AWS::Logs::MetricFilter').map(([, r]) => r.Properties!);
    expect(filters).toHaveLength(Object.keys(FLEET_METRIC_FIELDS).length);
    // test/e2e/observability.test.ts checks a real manager's line against these same fields.
    const transforms = filters.map((f) => {
      expect(f.LogGroupName).toEqual({ Ref: managerLogs });
      expect(f.FilterPattern).toBe(`{ $.message = "${METRICS_LINE_MESSAGE}" }`);
      return (f.MetricTransformations as { MetricName: string; MetricValue: string; Dimensions: unknown }[])[0]!;
    });
    expect(Object.fromEntries(transforms.map((t) => [t.MetricName, t.MetricValue]))).toEqual(
      Object.fromEntries(Object.entries(FLEET_METRIC_FIELDS).map(([name, field]) => [name, `$.${field}`])),
    );
    for (const t of transforms) expect(t.Dimensions).toEqual([{ Key: 'FleetId', Value: '$.fleetId' }]);
    expect(FLEET_METRICS_MESSAGE).toBe(METRICS_LINE_MESSAGE);
    expect(environmentOf(container(plain, 'manager')).METRICS_LOG_INTERVAL).toBe('60');
  });
});

describe('logs and cluster', () => {
  it('keeps every log group when the stack is deleted, with a retention period', () => {
    const groups = resources(plain, 'AWS::Logs::LogGroup') as [string, CfnResource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }][];
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const [, group] of groups) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { RetentionInDays: 14 } });
    }
  });

  it('turns Container Insights on', () => {
    plain.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });
});
