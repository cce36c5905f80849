// Command-line flags of the demo gameserver, with environment fallbacks so that a container can be
// configured like the manager (GAMESERVER_CAPACITY, DEMO_SESSION_SECONDS, GAMESERVER_*_PORT).
import { parseArgs } from 'node:util';
import { DemoOptionsError, validateDemoOptions, type DemoGameserverOptions } from './demo-gameserver.js';

export interface DemoCliOptions extends DemoGameserverOptions {
  exitWithStdin: boolean;
}

export const DEMO_USAGE = `usage: main.js --host 127.0.0.1 --game-port N --web-port N [--health-port N] --capacity N
  --session-seconds S [--join-timeout-seconds S] --name NAME [--gamelog-dir DIR] [--games A,B] [--exit-with-stdin]`;

export function parseDemoCli(argv: string[], env: NodeJS.ProcessEnv): DemoCliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        'game-port': { type: 'string' },
        'web-port': { type: 'string' },
        'health-port': { type: 'string' },
        capacity: { type: 'string' },
        'session-seconds': { type: 'string' },
        'join-timeout-seconds': { type: 'string' },
        name: { type: 'string' },
        'gamelog-dir': { type: 'string' },
        games: { type: 'string' },
        'exit-with-stdin': { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new DemoOptionsError((err as Error).message);
  }
  const text = (flag: string, envName: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[envName];
  };
  const healthPort = text('health-port', 'GAMESERVER_HEALTH_PORT');
  const joinTimeout = text('join-timeout-seconds', 'DEMO_JOIN_TIMEOUT_SECONDS');
  const games = text('games', 'DEMO_GAMES');
  const gamelogDir = text('gamelog-dir', 'DEMO_GAMELOG_DIR');
  const options: DemoCliOptions = {
    host: text('host', 'DEMO_HOST') ?? '127.0.0.1',
    gamePort: wholeNumber('--game-port', text('game-port', 'GAMESERVER_GAME_PORT') ?? '3000'),
    webPort: wholeNumber('--web-port', text('web-port', 'GAMESERVER_WEB_PORT') ?? '3080'),
    healthPort: healthPort === undefined ? undefined : wholeNumber('--health-port', healthPort),
    capacity: wholeNumber('--capacity', text('capacity', 'GAMESERVER_CAPACITY') ?? '10'),
    sessionMs: secondsToMs('--session-seconds', text('session-seconds', 'DEMO_SESSION_SECONDS') ?? '60'),
    joinTimeoutMs: joinTimeout === undefined ? undefined : secondsToMs('--join-timeout-seconds', joinTimeout),
    name: text('name', 'DEMO_NAME') ?? `demo-${process.pid}`,
    gamelogDir: gamelogDir && gamelogDir.length > 0 ? gamelogDir : undefined,
    games: games === undefined ? undefined : games.split(',').map((g) => g.trim()).filter((g) => g.length > 0),
    exitWithStdin: values['exit-with-stdin'] === true,
  };
  validateDemoOptions(options);
  return options;
}

function wholeNumber(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new DemoOptionsError(`${flag} must be a whole number, got "${raw}"`);
  return Number(raw);
}

function secondsToMs(flag: string, raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new DemoOptionsError(`${flag} must be a number of seconds, got "${raw}"`);
  const ms = Math.round(Number(raw) * 1000);
  if (ms <= 0) throw new DemoOptionsError(`${flag} must be more than 0`);
  return ms;
}
