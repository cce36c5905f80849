// The environment a submission's build and run see: a fixed allow-list, never the worker's own variables
// (DATABASE_URL, AWS keys, tokens). Node's own folder is on PATH so that Node clients find `node`.
import { dirname } from 'node:path';

export const BOT_PATH = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':');

export function botEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: BOT_PATH, HOME: home, LANG: 'C.UTF-8', TMPDIR: '/tmp' };
}
