// CloudWatch alarms on the manager's own numbers, sent to one SNS topic.
//
// How the numbers reach CloudWatch: the manager writes a 'fleet metrics' JSON line every minute
// (METRICS_LOG_INTERVAL, src/manager/metrics-line.ts) and log metric filters here turn its fields into
// metrics. Chosen over the alternatives because it needs nothing beside the container: no CloudWatch
// agent or collector sidecar to scrape /metrics, no cloudwatch:PutMetricData grant in the manager's
// role, and unlike embedded-metric-format lines it does not depend on the awslogs driver or the region
// detecting EMF. Each alarm has a runbook entry in docs/operations.md.
import { Construct } from 'constructs';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';

export const METRICS_NAMESPACE = 'Arbiter';
/** The manager's line message (METRICS_LINE_MESSAGE in src/manager/metrics-line.ts). */
export const FLEET_METRICS_MESSAGE = 'fleet metrics';

/** CloudWatch metric name → the line's field. */
export const FLEET_METRIC_FIELDS = {
  ServersInRotation: 'inRotation',
  BackupAllocations: 'backupAllocations',
  LaunchFailures: 'launchFailures',
  StartFailures: 'startFailures',
  TickStale: 'tickStale',
  TickAgeSeconds: 'tickAgeSeconds',
} as const;
export type FleetMetricName = keyof typeof FLEET_METRIC_FIELDS;

export interface ManagerAlarmsProps {
  logGroup: logs.ILogGroup;
  fleetId: string;
  /** With 0 an empty fleet is normal, so there is no "no server in rotation" alarm. */
  minServers: number;
  alarmEmail: string | undefined;
}

export class ManagerAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ManagerAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Arbiter alarms (${props.fleetId})` });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const [metricName, field] of Object.entries(FLEET_METRIC_FIELDS)) {
      new logs.MetricFilter(this, `${metricName}Filter`, {
        logGroup: props.logGroup,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', FLEET_METRICS_MESSAGE),
        metricNamespace: METRICS_NAMESPACE,
        metricName,
        metricValue: `$.${field}`,
        // One fleet per stack, but several stacks may share an account: the fleet id tells them apart.
        dimensions: { FleetId: '$.fleetId' },
      });
    }
    const metric = (name: FleetMetricName, statistic: string, period: Duration) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { FleetId: props.fleetId }, statistic, period });
    const minute = Duration.minutes(1);

    if (props.minServers > 0) {
      // Five minutes leaves room for a first start or a replaced server (a Fargate start is about a minute).
      this.add('NoServerInRotation', {
        alarmDescription: 'No gameserver has been in rotation for 5 minutes: every allocation goes to the backup or gets 503.',
        metric: metric('ServersInRotation', 'Maximum', minute),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 5,
        // No line at all is the manager's problem, and StaleTicks reports that.
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
    }
    this.add('BackupHandOuts', {
      alarmDescription: 'Players were sent to the backup gameserver in the last 5 minutes: the fleet had no room for them.',
      metric: metric('BackupAllocations', 'Sum', Duration.minutes(5)),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('StaleTicks', {
      alarmDescription:
        'The reconcile loop has not completed a tick for 5 minutes (or the manager writes no metrics line): nothing scales or replaces servers.',
      metric: metric('TickStale', 'Maximum', minute),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 5,
      // A manager that is down or hung writes nothing: that is the case this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.add('LaunchFailures', {
      alarmDescription: 'At least 3 gameserver launches failed in 5 minutes (refused by ECS, or died before they were healthy).',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(launch, 0) + FILL(start, 0)',
        usingMetrics: {
          launch: metric('LaunchFailures', 'Sum', Duration.minutes(5)),
          start: metric('StartFailures', 'Sum', Duration.minutes(5)),
        },
        label: 'failed launches',
        period: Duration.minutes(5),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 3,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(scope, 'AlarmTopicArn', {
      value: this.topic.topicArn,
      description: 'Subscribe on-call addresses here: aws sns subscribe --topic-arn <this ARN> --protocol email --notification-endpoint you@example.com',
    });
  }

  private add(name: string, props: Omit<cloudwatch.AlarmProps, 'alarmName'>): void {
    // <stack>-<name>: what the runbook in docs/operations.md is indexed by.
    const alarm = new cloudwatch.Alarm(this, name, { ...props, alarmName: `${Stack.of(this).stackName}-${name}` });
    // Both edges: on-call hears that it is over, too.
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
