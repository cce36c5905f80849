import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';

// Needs dist/ (npm test builds it first; run `npm run build` when running this file alone).
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function firstLine(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`sim exited early with ${code}`)));
  });
}

describe('npm run sim (dist/sim/main.js)', () => {
  it('prints its URL, serves SDK clients configured by AWS_ENDPOINT_URL_ECS, and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['dist/sim/main.js'], {
      env: { ...process.env, SIM_PORT: '0', SIM_LAUNCH_LATENCY_MS: '30' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = JSON.parse(await firstLine(child)) as { url: string };
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const saved = process.env['AWS_ENDPOINT_URL_ECS'];
    process.env['AWS_ENDPOINT_URL_ECS'] = line.url;
    const ecs = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    try {
      await ecs.send(
        new RunTaskCommand({
          taskDefinition: 'LaunchGameserver',
          launchType: 'FARGATE',
          startedBy: 'from-env',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        }),
      );
      const listed = await ecs.send(new ListTasksCommand({ startedBy: 'from-env' }));
      expect(listed.taskArns).toHaveLength(1);
    } finally {
      ecs.destroy();
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_ECS'];
      else process.env['AWS_ENDPOINT_URL_ECS'] = saved;
    }

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
