import { describe, expect, it } from 'vitest';
import { parseDemoCli } from '../../src/gameserver/cli-options.js';

describe('demo gameserver command line', () => {
  it('reads every flag', () => {
    const options = parseDemoCli(
      ['--host', '127.0.0.2', '--game-port', '0', '--web-port', '0', '--health-port', '0', '--capacity', '4',
        '--session-seconds', '0.5', '--join-timeout-seconds', '2', '--name', 'gs-1', '--gamelog-dir', '/tmp/logs',
        '--games', 'Go, Checkers', '--exit-with-stdin'],
      {},
    );
    expect(options).toEqual({
      host: '127.0.0.2', gamePort: 0, webPort: 0, healthPort: 0, capacity: 4, sessionMs: 500, joinTimeoutMs: 2000,
      name: 'gs-1', gamelogDir: '/tmp/logs', games: ['Go', 'Checkers'], exitWithStdin: true,
    });
  });

  it('falls back to the environment, and flags win over it', () => {
    const env = { GAMESERVER_CAPACITY: '7', DEMO_SESSION_SECONDS: '3', GAMESERVER_GAME_PORT: '4000', GAMESERVER_WEB_PORT: '4080', DEMO_NAME: 'env' };
    expect(parseDemoCli([], env)).toMatchObject({ capacity: 7, sessionMs: 3000, gamePort: 4000, webPort: 4080, name: 'env', exitWithStdin: false });
    expect(parseDemoCli(['--capacity', '2'], env).capacity).toBe(2);
  });

  it.each([
    { name: 'an unknown flag', argv: ['--colour', 'red'], error: /colour/ },
    { name: 'a negative port', argv: ['--game-port', '-1'], error: /game-port/ },
    { name: 'a port out of range', argv: ['--web-port', '70000'], error: /webPort/ },
    { name: 'capacity 0', argv: ['--capacity', '0'], error: /capacity/ },
    { name: 'zero seconds', argv: ['--session-seconds', '0'], error: /session-seconds/ },
    { name: 'words for seconds', argv: ['--session-seconds', 'soon'], error: /session-seconds/ },
    { name: 'equal game and web ports', argv: ['--game-port', '5000', '--web-port', '5000'], error: /differ/ },
  ])('refuses $name', ({ argv, error }) => {
    expect(() => parseDemoCli(argv, {})).toThrow(error);
  });
});
