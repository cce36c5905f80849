import { describe, expect, it } from 'vitest';
import { broadEcsGrants } from '../../infra/testing/template-queries.js';

// The least-privilege checker the stack tests rely on must itself catch what it claims to.
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
