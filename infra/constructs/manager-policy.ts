// What the manager's task role may do, and nothing more: run its own gameserver task definition in
// its own cluster, stop/describe/tag tasks of that cluster, and (EC2 mode) start and end instances
// from its launch template that carry its fleet tag.
import { Construct } from 'constructs';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The tag the ECS backend puts on instances it launches (src/aws/task-records.ts). */
export const FLEET_TAG_KEY = 'arbiter:fleet';

export interface ManagerPolicyProps {
  role: iam.IRole;
  clusterArn: string;
  clusterName: string;
  taskDefinitionFamily: string;
  gameserverTaskRole: iam.IRole;
  gameserverExecutionRole: iam.IRole;
  fleetId: string;
  /** Present in EC2 mode only. */
  ec2?: { launchTemplateArn: string; instanceRole: iam.IRole };
}

export class ManagerPolicy extends Construct {
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: ManagerPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const ecsArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ecs', resource, resourceName });
    const inCluster = { ArnEquals: { 'ecs:cluster': props.clusterArn } };
    // Task ARNs carry the cluster name (task/CLUSTER/ID), so the resource itself is scoped too.
    const clusterTasks = ecsArn('task', `${props.clusterName}/*`);

    const statements = [
      new iam.PolicyStatement({
        sid: 'RunGameserverTasks',
        actions: ['ecs:RunTask'],
        resources: [ecsArn('task-definition', `${props.taskDefinitionFamily}:*`)],
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        sid: 'ManageClusterTasks',
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: [clusterTasks],
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        // Standby marks, and the tags RunTask writes at launch. IfExists: not every tagging request
        // carries the cluster key, and the resource ARN already pins the cluster.
        sid: 'TagClusterTasks',
        actions: ['ecs:TagResource', 'ecs:UntagResource'],
        resources: [clusterTasks],
        conditions: { ArnEqualsIfExists: { 'ecs:cluster': props.clusterArn } },
      }),
      new iam.PolicyStatement({
        // ListTasks has no task resource to name; the cluster condition is the scope.
        sid: 'ListClusterTasks',
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: inCluster,
      }),
      new iam.PolicyStatement({
        sid: 'PassGameserverRoles',
        actions: ['iam:PassRole'],
        resources: [props.gameserverTaskRole.roleArn, props.gameserverExecutionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        // Public addresses of awsvpc tasks; EC2 Describe* calls support no resource-level scoping.
        sid: 'ReadNetworkInterfaces',
        actions: ['ec2:DescribeNetworkInterfaces'],
        resources: ['*'],
      }),
      ...(props.ec2 ? ec2ModeStatements(stack, props, ecsArn, inCluster) : []),
    ];
    this.policy = new iam.Policy(this, 'Policy', { statements });
    this.policy.attachToRole(props.role);
  }
}

function ec2ModeStatements(
  stack: Stack,
  props: ManagerPolicyProps,
  ecsArn: (resource: string, resourceName: string) => string,
  inCluster: Record<string, unknown>,
): iam.PolicyStatement[] {
  const ec2 = props.ec2!;
  const instances = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });
  return [
    new iam.PolicyStatement({
      // RunInstances touches many resources (instance, volume, ENI, subnet, image…); requiring
      // our launch template on every one of them is what scopes it.
      sid: 'RunInstancesFromTemplate',
      actions: ['ec2:RunInstances'],
      resources: ['*'],
      conditions: { ArnLike: { 'ec2:LaunchTemplate': ec2.launchTemplateArn } },
    }),
    new iam.PolicyStatement({
      sid: 'TagInstancesAtLaunch',
      actions: ['ec2:CreateTags'],
      resources: ['*'],
      conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    }),
    new iam.PolicyStatement({
      sid: 'TerminateFleetInstances',
      actions: ['ec2:TerminateInstances'],
      resources: [instances],
      conditions: { StringEquals: { [`aws:ResourceTag/${FLEET_TAG_KEY}`]: props.fleetId } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadInstances',
      actions: ['ec2:DescribeInstances'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ListContainerInstances',
      actions: ['ecs:ListContainerInstances'],
      resources: [props.clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeContainerInstances',
      actions: ['ecs:DescribeContainerInstances'],
      resources: [ecsArn('container-instance', `${props.clusterName}/*`)],
      conditions: inCluster,
    }),
    new iam.PolicyStatement({
      // The launch template's instance profile hands this role to EC2.
      sid: 'PassInstanceRole',
      actions: ['iam:PassRole'],
      resources: [ec2.instanceRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }),
  ];
}
