// `npm run sim`: the simulator as a process. Options come from SIM_* environment variables.
import { createLogger } from '../src/shared/log.js';
import { exitOnListenError, ListenError } from '../src/shared/listen.js';
import { stopOnSignals } from '../src/shared/stop-on-signals.js';
import { startSim, type SimOptions } from './index.js';

const ENV_OPTIONS: [string, keyof SimOptions, 'number' | 'string' | 'boolean'][] = [
  ['SIM_PORT', 'port', 'number'],
  ['SIM_HOST', 'host', 'string'],
  ['SIM_REGION', 'region', 'string'],
  ['SIM_ACCOUNT_ID', 'accountId', 'string'],
  ['SIM_LAUNCH_LATENCY_MS', 'launchLatencyMs', 'number'],
  ['SIM_STOP_LATENCY_MS', 'stopLatencyMs', 'number'],
  ['SIM_IP_BASE', 'ipBase', 'string'],
  ['SIM_DEFAULT_CAPACITY', 'defaultCapacity', 'number'],
  ['SIM_THROTTLING', 'throttling', 'boolean'],
  ['SIM_INSTANCE_JOIN_LATENCY_MS', 'instanceJoinLatencyMs', 'number'],
  ['SIM_STARTED_BY_MAX_LENGTH', 'startedByMaxLength', 'number'],
  ['SIM_VERBOSE', 'verbose', 'boolean'],
  ['SIM_NETWORK_MODE', 'taskNetworkMode', 'string'],
  ['SIM_WORKERS', 'workers', 'number'],
];

function optionsFromEnv(env: NodeJS.ProcessEnv): SimOptions {
  const options: Record<string, unknown> = { port: 4566 };
  for (const [name, key, type] of ENV_OPTIONS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (type === 'number') {
      const value = Number(raw);
      if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got '${raw}'`);
      options[key] = value;
    } else if (type === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) throw new Error(`${name} must be true or false, got '${raw}'`);
      options[key] = raw === 'true' || raw === '1';
    } else {
      options[key] = raw;
    }
  }
  return options as SimOptions;
}

const log = createLogger({ base: { component: 'sim' } });
try {
  const sim = await startSim(optionsFromEnv(process.env), log);
  process.stdout.write(
    `${JSON.stringify({ message: 'sim listening', url: sim.url, region: sim.options.region, ipBase: sim.options.ipBase })}\n`,
  );
  stopOnSignals({ close: () => sim.close(), logger: log, messages: { stopping: 'sim stopping', failed: 'sim close failed' }, again: 'default' });
} catch (err) {
  if (err instanceof ListenError) exitOnListenError('sim', err);
  log.error('sim failed to start', { error: (err as Error).message });
  process.exitCode = 1;
}
