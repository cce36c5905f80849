// The environment a submission's build sees: the shared allow-list (src/shared/child-env.ts), with the bot's own
// folder as HOME and a fixed PATH, never the worker's variables (DATABASE_URL, AWS keys, tokens). Node's own folder
// is on PATH so that Node clients find `node`. `./run` gets even less: `env -i` with these four (command.ts).
import { dirname } from 'node:path';
import { childEnv } from '../../shared/child-env.js';

export const BOT_PATH = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':');

export function botEnv(home: string): NodeJS.ProcessEnv {
  return childEnv(process.env, { set: { PATH: BOT_PATH, HOME: home, LANG: 'C.UTF-8', TMPDIR: '/tmp' } });
}
