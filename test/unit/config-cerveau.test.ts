// LOCAL_GAMESERVER=cerveau refuses to start without a usable Cerveau checkout, naming the variable.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const root = mkdtempSync(join(tmpdir(), 'arbiter-cerveau-config-'));
const built = join(root, 'built');
const unbuilt = join(root, 'unbuilt');
mkdirSync(join(built, 'dist'), { recursive: true });
writeFileSync(join(built, 'dist', 'index.js'), '');
mkdirSync(unbuilt);
writeFileSync(join(root, 'a-file'), '');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = { ARBITER_BACKEND: 'local', LOCAL_GAMESERVER: 'cerveau' };

describe('LOCAL_GAMESERVER=cerveau', () => {
  it.each([
    { name: 'no CERVEAU_DIR', env: {}, want: /CERVEAU_DIR: required/ },
    { name: 'a CERVEAU_DIR that does not exist', env: { CERVEAU_DIR: join(root, 'nope') }, want: /CERVEAU_DIR: .* is not a directory/ },
    { name: 'a CERVEAU_DIR that is a file', env: { CERVEAU_DIR: join(root, 'a-file') }, want: /CERVEAU_DIR: .* is not a directory/ },
    { name: 'an unbuilt checkout', env: { CERVEAU_DIR: unbuilt }, want: /CERVEAU_DIR: .* has no dist\/index\.js; run npm install && npm run build/ },
    { name: 'LOCAL_GAMESERVER_COMMAND as well', env: { CERVEAU_DIR: built, LOCAL_GAMESERVER_COMMAND: 'x {gamePort}' }, want: /LOCAL_GAMESERVER_COMMAND: cannot be combined/ },
    { name: 'an unknown LOCAL_GAMESERVER', env: { LOCAL_GAMESERVER: 'pyrena' }, want: /LOCAL_GAMESERVER/ },
  ])('refuses $name', ({ env, want }) => {
    expect(() => parseConfig({ ...base, ...env })).toThrow(want);
  });

  it.each([
    { name: 'a built checkout runs node dist/index.js', env: { CERVEAU_DIR: built }, want: { dir: built, command: 'node dist/index.js' } },
    { name: 'CERVEAU_COMMAND overrides it, no build needed', env: { CERVEAU_DIR: unbuilt, CERVEAU_COMMAND: 'npx ts-node src/index.ts' }, want: { dir: unbuilt, command: 'npx ts-node src/index.ts' } },
  ])('accepts $name', ({ env, want }) => {
    expect(parseConfig({ ...base, ...env }).local.cerveau).toEqual(want);
  });

  it('leaves the demo gameserver the default', () => {
    expect(parseConfig({ ARBITER_BACKEND: 'local' }).local.cerveau).toBeNull();
  });
});
