// `npm start` on a terminal: the real manager under a pseudo-terminal (util-linux `script`) prints short human lines,
// says where the API and the dashboard are, and a fleet summary; a child's JSON output is a field, not a string.
// Off a terminal, process warnings (the AWS SDK's Node-version notice) are one JSON line each, once.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, childProcesses, startNode, stopAll } from '../support/processes.js';
import { freePort, freePortPair, waitFor } from '../support/wait.js';

const SCRIPT = '/usr/bin/script';
const ANSI = /\u001b\[[0-9;]*m/g;
const groups: number[] = [];

afterEach(async () => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stopAll();
});

describe.runIf(existsSync(SCRIPT))('the manager on a terminal', () => {
  it('prints human lines with the URLs, a fleet summary and child output as fields', async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ENV_FILE: '/nonexistent/.env',
      PORT: String(port),
      HOST: '127.0.0.1',
      ARBITER_BACKEND: 'local',
      MIN_SERVERS: '1',
      SCALE_IN_DELAY: '0',
      BACKUP_GAMESERVER: `127.0.0.1:${await freePortPair()}`,
      LOG_LEVEL: 'info',
      TERM: 'xterm',
    };
    const proc = spawn(SCRIPT, ['-qfc', `exec ${process.execPath} dist/src/main.js`, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    groups.push(proc.pid!);
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const lines = () => out.split(/\r?\n/).map((l) => l.replace(ANSI, '')).filter((l) => l.trim() !== '');
    await waitFor(() => lines().some((l) => / INFO  fleet .*1 active/.test(l)), { timeoutMs: 20_000, what: 'a fleet summary with an active server' });
    expect(out).toMatch(ANSI); // a terminal gets colour
    const all = lines();
    const listening = all.find((l) => l.includes('manager listening'))!;
    expect(listening).toMatch(/^\d\d:\d\d:\d\d INFO  manager listening api=http:\/\/127\.0\.0\.1:\d+\/api\/servers dashboard=http:\/\/127\.0\.0\.1:\d+\//);
    expect(all.find((l) => / fleet /.test(l) && /1 active/.test(l))).toMatch(/ INFO  fleet servers=1 states="1 active" sessions=0 free=\d+/);
    expect(all.some((l) => / server launched arbiter-alpha /.test(l))).toBe(true);
    // nothing is a JSON object line, and no child line carries escaped JSON
    expect(all.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(all.filter((l) => l.includes('\\"'))).toEqual([]);
    const manager = childProcesses(proc.pid!).find((c) => c.cmdline.includes('dist/src/main.js'));
    expect(manager).toBeDefined();
    process.kill(manager!.pid, 'SIGTERM');
    await waitFor(() => lines().some((l) => / INFO  stopped/.test(l)), { timeoutMs: 15_000, what: 'a clean stop' });
  });
});

describe('process warnings off a terminal', () => {
  it('the AWS SDK Node-version notice is one JSON line, once, however many clients', async () => {
    const probe = [
      "import { ECSClient } from '@aws-sdk/client-ecs';",
      "import { EC2Client } from '@aws-sdk/client-ec2';",
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import { createLogger } from './dist/src/shared/log.js';",
      "import { routeWarnings } from './dist/src/shared/warnings.js';",
      "routeWarnings(createLogger({ format: 'json' }));",
      "for (let i = 0; i < 3; i++) { new ECSClient({ region: 'us-east-1' }); new EC2Client({ region: 'us-east-1' }); new S3Client({ region: 'us-east-1' }); }",
      "process.emitWarning('same twice', 'TestWarning'); process.emitWarning('same twice', 'TestWarning');",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const major = Number(process.versions.node.split('.')[0]);
    const sdk = events.filter((e) => String(e.detail).includes('AWS SDK'));
    expect(sdk).toHaveLength(major < 22 ? 1 : 0);
    expect(events.filter((e) => e.warning === 'TestWarning')).toHaveLength(1);
    for (const e of events) expect(e).toMatchObject({ level: 'warn', message: 'process warning' });
  });

  it('an invalid LOG_FORMAT refuses to start, naming the variable', async () => {
    const bad = startNode('dist/src/main.js', { ENV_FILE: '/nonexistent/.env', LOG_FORMAT: 'yaml' });
    const result = await bad.exited;
    expect(result.code).toBe(2);
    expect(bad.lines.join('\n')).toMatch(/LOG_FORMAT: /);
  });
});
