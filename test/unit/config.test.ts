import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, mergeEnv, parseConfig, readEnvFile, type Env } from '../../src/config/config.js';

const SEED = fileURLToPath(new URL('../fixtures/seed.env', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

/** The problems a ConfigError lists, or fails the test when the env was accepted. */
function problemsOf(env: Env): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).name).toBe('ConfigError');
    return (err as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('the seed .env', () => {
  it('loads verbatim through readEnvFile, mergeEnv and parseConfig', () => {
    const config = parseConfig(mergeEnv(readEnvFile(SEED), {}));
    expect(config.scaling).toMatchObject({ upscaleMargin: 4, downscaleMargin: 18, capacity: 10, sleepMs: 10_000 });
    expect(config.backup).toMatchObject({ host: '127.0.0.1', port: 8888 });
    expect(config.backend).toBe('ecs');
    // The seed's way: a launch template means EC2 instances with bridge networking.
    expect(config.ecs).toMatchObject({ taskDefinition: 'LaunchGameserver', instanceLaunchTemplate: 'defaultECS', launchType: 'EC2', networkMode: 'bridge' });
    // The later, blank AWS_REGION line does not erase the region the first one set.
    expect(config.ecs?.region).toBe('us-east-1');
    expect(JSON.stringify(config)).not.toContain('SECRET_KEY');
  });

  it('the process environment wins over the file', () => {
    const config = parseConfig(mergeEnv(readEnvFile(SEED), { AWS_REGION: 'eu-west-1', SLEEP_TIME: '2.5' }));
    expect(config.ecs?.region).toBe('eu-west-1');
    expect(config.scaling.sleepMs).toBe(2_500);
  });

  it('loadConfig reads the file ENV_FILE names', () => {
    expect(loadConfig({ ENV_FILE: SEED }).ecs?.taskDefinition).toBe('LaunchGameserver');
  });

  it('a missing .env file is an empty one', () => {
    expect(readEnvFile('/nonexistent/arbiter/.env')).toEqual({});
    expect(loadConfig({ ENV_FILE: '/nonexistent/arbiter/.env' }).backend).toBe('local');
  });
});

describe('defaults', () => {
  it('an empty environment is a local fleet with the seed margins and second-valued defaults in ms', () => {
    const config = parseConfig({});
    expect(config.backend).toBe('local');
    expect(config.ecs).toBeNull();
    expect(config.backup).toMatchObject({ host: '127.0.0.1', port: 8888 });
    expect(config.scaling).toMatchObject({ upscaleMargin: 4, downscaleMargin: 18, capacity: 10, minServers: 1, maxServers: 20, sleepMs: 10_000, reservationTtlMs: 30_000, strategy: 'packed' });
    expect(config.health).toMatchObject({ pollIntervalMs: 2_000, timeoutMs: 1_500, failThreshold: 3, startTimeoutMs: 180_000, resyncIntervalMs: 60_000 });
  });

  it('blank values mean unset', () => {
    expect(parseConfig({ UPSCALE_MARGIN: '', SLEEP_TIME: '   ' }).scaling).toMatchObject({ upscaleMargin: 4, sleepMs: 10_000 });
  });
});

describe('aliases of the seed code', () => {
  it.each([
    { name: 'SERVER_CAPACITY', env: { SERVER_CAPACITY: '12' }, pick: (c: ReturnType<typeof parseConfig>) => c.scaling.capacity, want: 12 },
    { name: 'THREAD_SLEEP_TIME', env: { THREAD_SLEEP_TIME: '5' }, pick: (c: ReturnType<typeof parseConfig>) => c.scaling.sleepMs, want: 5_000 },
    {
      name: 'SERVER_TASK_DEFINITION',
      env: { SERVER_TASK_DEFINITION: 'Gameserver:3', ECS_SUBNETS: 'subnet-1' },
      pick: (c: ReturnType<typeof parseConfig>) => c.ecs?.taskDefinition,
      want: 'Gameserver:3',
    },
    { name: 'canonical GAMESERVER_CAPACITY over its alias', env: { SERVER_CAPACITY: '12', GAMESERVER_CAPACITY: '8' }, pick: (c: ReturnType<typeof parseConfig>) => c.scaling.capacity, want: 8 },
    { name: 'canonical SLEEP_TIME over its alias', env: { THREAD_SLEEP_TIME: '5', SLEEP_TIME: '7' }, pick: (c: ReturnType<typeof parseConfig>) => c.scaling.sleepMs, want: 7_000 },
  ])('$name', ({ env, pick, want }) => {
    expect(pick(parseConfig(mergeEnv({}, env)))).toBe(want);
  });

  it('an alias from the file fills in, a canonical name from the process wins', () => {
    expect(parseConfig(mergeEnv({ SERVER_CAPACITY: '12' }, { GAMESERVER_CAPACITY: '6' })).scaling.capacity).toBe(6);
    expect(parseConfig(mergeEnv({ SERVER_CAPACITY: '12' }, {})).scaling.capacity).toBe(12);
  });
});

describe('invalid variables', () => {
  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'verbose'],
    ['ARBITER_BACKEND', 'kubernetes'],
    ['FLEET_ID', 'a fleet with spaces'],
    ['FLEET_ID', 'x'.repeat(37)],
    ['UPSCALE_MARGIN', '-1'],
    ['DOWNSCALE_MARGIN', 'many'],
    ['GAMESERVER_CAPACITY', '0'],
    ['SLEEP_TIME', 'ten'],
    ['SLEEP_TIME', '0'],
    ['MIN_SERVERS', '-2'],
    ['MAX_SERVERS', '0'],
    ['MAX_LAUNCH_PER_TICK', '0'],
    ['ALLOCATION_STRATEGY', 'random'],
    ['RESERVATION_TTL', '-5'],
    ['BACKUP_GAMESERVER', '127.0.0.1'],
    ['BACKUP_GAMESERVER', '127.0.0.1:99999'],
    ['BACKUP_GAMESERVER_WEB_PORT', '0'],
    ['POLL_INTERVAL', 'often'],
    ['HEALTH_TIMEOUT_MS', '5'],
    ['HEALTH_TIMEOUT_MS', '1.5'],
    ['FAIL_THRESHOLD', '0'],
    ['START_TIMEOUT', '0.5'],
    ['POLL_CONCURRENCY', '0'],
    ['RESYNC_INTERVAL', '0'],
    ['GAMESERVER_GAME_PORT', '0'],
    ['GAMESERVER_WEB_PORT', '65536'],
    ['GAMESERVER_HEALTH_PORT', 'web'],
    ['LOCAL_STOP_GRACE', 'soon'],
    ['DEMO_SESSION_SECONDS', '0'],
    ['ECS_LAUNCH_TYPE', 'LAMBDA'],
    ['ECS_NETWORK_MODE', 'host'],
    ['ECS_ASSIGN_PUBLIC_IP', 'maybe'],
    ['ECS_ADDRESS', 'both'],
    ['ARBITER_ADMIN_TOKEN', 'short'],
    ['ARBITER_ALLOCATE_TOKEN', 'short'],
    ['ARBITER_HEARTBEAT_TOKEN', 'short'],
    ['ALLOCATE_RATE_LIMIT', '-1'],
    ['MIN_SERVERS_SCHEDULE', 'every friday'],
    ['SCHEDULE_TIMEZONE', 'Mars/Olympus_Mons'],
  ])('%s=%s is named in the problems', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(`${name}: `)), problems.join('; ')).toBe(true);
  });

  it('several bad variables are all named at once', () => {
    const problems = problemsOf({ PORT: 'x', UPSCALE_MARGIN: 'y', FAIL_THRESHOLD: '0', ALLOCATION_STRATEGY: 'z' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ALLOCATION_STRATEGY', 'FAIL_THRESHOLD', 'PORT', 'UPSCALE_MARGIN']);
  });

  it('shows the bad value, except for secrets', () => {
    expect(problemsOf({ MAX_SERVERS: 'lots' })).toEqual([expect.stringContaining('(got "lots")')]);
    const problems = problemsOf({ ARBITER_ADMIN_TOKEN: 'hunter2' });
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.join('\n')).toContain('[redacted]');
  });

  it('the error message lists every problem', () => {
    try {
      parseConfig({ PORT: 'x', MAX_SERVERS: '0' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid configuration:\n {2}PORT: .*\n {2}MAX_SERVERS: /);
    }
  });
});

describe('cross-variable rules', () => {
  it.each([
    { name: 'margins only one capacity apart', env: { UPSCALE_MARGIN: '4', DOWNSCALE_MARGIN: '14', GAMESERVER_CAPACITY: '10' }, problem: 'DOWNSCALE_MARGIN' },
    { name: 'downscale below upscale', env: { UPSCALE_MARGIN: '20', DOWNSCALE_MARGIN: '10' }, problem: 'DOWNSCALE_MARGIN' },
    { name: 'capacity grown past the gap (alias)', env: { SERVER_CAPACITY: '14' }, problem: 'DOWNSCALE_MARGIN' },
    { name: 'MIN_SERVERS above MAX_SERVERS', env: { MIN_SERVERS: '5', MAX_SERVERS: '4' }, problem: 'MIN_SERVERS' },
    { name: 'ecs without a task definition', env: { ARBITER_BACKEND: 'ecs' }, problem: 'GAMESERVER_TASK_DEFINITION' },
    { name: 'awsvpc without subnets', env: { GAMESERVER_TASK_DEFINITION: 'gs' }, problem: 'ECS_SUBNETS' },
    { name: 'Fargate with bridge networking', env: { GAMESERVER_TASK_DEFINITION: 'gs', ECS_LAUNCH_TYPE: 'FARGATE', ECS_NETWORK_MODE: 'bridge' }, problem: 'ECS_NETWORK_MODE' },
    { name: 'capacity providers with a launch type', env: { GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: 's', ECS_CAPACITY_PROVIDERS: 'FARGATE_SPOT', ECS_LAUNCH_TYPE: 'FARGATE' }, problem: 'ECS_CAPACITY_PROVIDERS' },
  ])('refuses $name', ({ env, problem }) => {
    expect(problemsOf(mergeEnv({}, env)).map((p) => p.split(':')[0])).toContain(problem);
  });

  it('lists a broken rule together with the variables that do not parse, in one run', () => {
    const problems = problemsOf({ PORT: 'eighty', UPSCALE_MARGIN: '20', DOWNSCALE_MARGIN: '10', MIN_SERVERS: '5', MAX_SERVERS: '4' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DOWNSCALE_MARGIN', 'MIN_SERVERS', 'PORT']);
  });

  it('checks no rule on a variable that did not parse', () => {
    const problems = problemsOf({ UPSCALE_MARGIN: 'four', DOWNSCALE_MARGIN: '1' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^UPSCALE_MARGIN: /);
  });

  it('accepts margins more than one capacity apart', () => {
    expect(parseConfig({ UPSCALE_MARGIN: '4', DOWNSCALE_MARGIN: '15', GAMESERVER_CAPACITY: '10' }).scaling.downscaleMargin).toBe(15);
  });
});

describe('POLL_WORKER', () => {
  const ecs = { GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: 's' };
  it.each([
    { name: 'auto in local mode', env: {}, want: false },
    { name: 'auto in ECS mode', env: ecs, want: true },
    { name: 'on in local mode', env: { POLL_WORKER: 'on' }, want: true },
    { name: 'off in ECS mode', env: { ...ecs, POLL_WORKER: 'off' }, want: false },
  ])('$name', ({ env, want }) => {
    expect(parseConfig(env).health.pollWorker).toBe(want);
  });

  it('refuses other values', () => {
    expect(() => parseConfig({ POLL_WORKER: 'yes' })).toThrow(/POLL_WORKER/);
  });
});

describe('backend selection', () => {
  it.each([
    { name: 'local when no task definition is set', env: {}, want: 'local' },
    { name: 'ecs when a task definition is set', env: { GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: 'subnet-1,subnet-2' }, want: 'ecs' },
    { name: 'ARBITER_BACKEND=local overrides a task definition', env: { GAMESERVER_TASK_DEFINITION: 'gs', ARBITER_BACKEND: 'local' }, want: 'local' },
    { name: 'ARBITER_BACKEND=ecs with a task definition', env: { ARBITER_BACKEND: 'ecs', GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: 's' }, want: 'ecs' },
  ])('$name', ({ env, want }) => {
    const config = parseConfig(env);
    expect(config.backend).toBe(want);
    expect(config.ecs === null).toBe(want === 'local');
  });

  it('ecs has no default backup server; local has the seed one', () => {
    expect(parseConfig({ GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: 's' }).backup).toBeNull();
    expect(parseConfig({}).backup).toMatchObject({ host: '127.0.0.1', port: 8888 });
  });

  it('BACKUP_GAMESERVER set but empty means no backup, in local mode too', () => {
    expect(parseConfig({ BACKUP_GAMESERVER: '' }).backup).toBeNull();
    expect(parseConfig({ BACKUP_GAMESERVER: '  ' }).backup).toBeNull();
    expect(parseConfig({ BACKUP_GAMESERVER: undefined }).backup).toMatchObject({ host: '127.0.0.1', port: 8888 });
    expect(parseConfig({ GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: 's', BACKUP_GAMESERVER: '' }).backup).toBeNull();
  });

  it('a Fargate fleet gets awsvpc with its subnet list', () => {
    const config = parseConfig({ GAMESERVER_TASK_DEFINITION: 'gs', ECS_SUBNETS: ' subnet-1 , subnet-2 ,' });
    expect(config.ecs).toMatchObject({ launchType: 'FARGATE', networkMode: 'awsvpc', subnets: ['subnet-1', 'subnet-2'] });
  });
});

describe('the built entry point', () => {
  it.skipIf(!existsSync(MAIN))('exits non-zero naming the bad variable', () => {
    const result = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ENV_FILE: '/nonexistent/arbiter/.env', UPSCALE_MARGIN: 'lots', PORT: '0' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(result.stderr).toContain('UPSCALE_MARGIN');
  });
});

describe('HOST default', () => {
  it.each([
    { name: 'local mode stays on this machine', env: {}, want: '127.0.0.1' },
    { name: 'ECS mode listens on every interface (a container)', env: { GAMESERVER_TASK_DEFINITION: 'LaunchGameserver', ECS_SUBNETS: 'subnet-1' }, want: '0.0.0.0' },
    { name: 'an explicit HOST wins', env: { HOST: '0.0.0.0' }, want: '0.0.0.0' },
  ])('$name', ({ env, want }) => {
    expect(parseConfig(env).host).toBe(want);
  });
});

describe('SERVER_NAMES', () => {
  it.each([
    { value: 'alpha,alpha', want: /SERVER_NAMES: each name may appear once/ },
    { value: 'alpha,bravo-2', want: /SERVER_NAMES: a name must not end in -<number>/ },
    { value: 'Alpha', want: /SERVER_NAMES: each name must be 1 to 31 lowercase/ },
  ])('refuses $value', ({ value, want }) => {
    expect(problemsOf({ SERVER_NAMES: value }).join('\n')).toMatch(want);
  });

  it('replaces the word list, in its order', () => {
    expect(parseConfig({ SERVER_NAMES: 'red, green,blue' }).proxy.words).toEqual(['red', 'green', 'blue']);
  });
});

describe('LOG_FORMAT', () => {
  it('takes json or pretty, and refuses anything else naming the variable', () => {
    expect(parseConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(parseConfig({}).logFormat).toBeUndefined();
    expect(problemsOf({ LOG_FORMAT: 'yaml' }).join('\n')).toMatch(/^LOG_FORMAT: /m);
  });
});
