import { beforeAll, describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import {
  actionsOf,
  broadEcsGrants,
  resources,
  statementsOf,
  statementWithAction,
  type PolicyStatement,
} from '../../infra/testing/template-queries.js';

// One synth of the default (Fargate) variant for every assertion on the manager's role.
let template: Template;
let statements: PolicyStatement[];
let clusterId: string;
let roleIds: { gameserverTask: string; gameserverExecution: string; managerTask: string };

beforeAll(() => {
  template = Template.fromStack(buildApp().stack);
  statements = statementsOf(template, 'ManagerPolicy');
  clusterId = resources(template, 'AWS::ECS::Cluster')[0]![0];
  const roles = resources(template, 'AWS::IAM::Role').map(([id]) => id);
  const find = (prefix: string) => roles.find((id) => id.startsWith(prefix))!;
  roleIds = {
    gameserverTask: find('GameserverTaskDefinitionTaskRole'),
    gameserverExecution: find('GameserverTaskDefinitionExecutionRole'),
    managerTask: find('ManagerTaskDefinitionTaskRole'),
  };
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

describe('broadEcsGrants', () => {
  it.each([
    { name: 'ecs wildcard', statement: { Effect: 'Allow', Action: 'ecs:*', Resource: 'arn:x' }, want: 1 },
    { name: 'StopTask on *', statement: { Effect: 'Allow', Action: ['ecs:StopTask'], Resource: '*' }, want: 1 },
    { name: 'ListTasks on *', statement: { Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*' }, want: 0 },
    { name: 'scoped RunTask', statement: { Effect: 'Allow', Action: 'ecs:RunTask', Resource: ['arn:x'] }, want: 0 },
  ])('flags $name: $want', ({ statement, want }) => {
    expect(broadEcsGrants([statement])).toHaveLength(want);
  });
});
