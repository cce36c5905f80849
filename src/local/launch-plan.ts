// What to run for one local gameserver: the built demo gameserver by default, or the operator's
// LOCAL_GAMESERVER_COMMAND template with ports chosen here.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServerPorts } from '../shared/gameserver-ports.js';

export const TEMPLATE_PLACEHOLDERS = ['host', 'gamePort', 'webPort', 'healthPort', 'capacity', 'name', 'sessionSeconds'] as const;
export type TemplateValues = Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string | number>;

/**
 * The compiled demo gameserver. From dist/src/local/ it is a sibling folder; from src/local/ (vitest runs
 * the TypeScript) it is the build output under dist/.
 */
export function demoGameserverScript(): string {
  const candidates = [new URL('../gameserver/main.js', import.meta.url), new URL('../../dist/src/gameserver/main.js', import.meta.url)];
  const paths = candidates.map((url) => fileURLToPath(url));
  return paths.find((path) => existsSync(path)) ?? paths[paths.length - 1]!;
}

/** The compiled Cerveau launcher (cerveau-server-main.ts), found the same way. */
export function cerveauServerScript(): string {
  const candidates = [new URL('./cerveau-server-main.js', import.meta.url), new URL('../../dist/src/local/cerveau-server-main.js', import.meta.url)];
  const paths = candidates.map((url) => fileURLToPath(url));
  return paths.find((path) => existsSync(path)) ?? paths[paths.length - 1]!;
}

/** Replaces each `{placeholder}`; unknown placeholders are left as written. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = (values as Record<string, string | number | undefined>)[key];
    return value === undefined ? whole : String(value);
  });
}

/** Ports that were free on `host` a moment ago, all distinct (each is held until every one is chosen). */
export async function pickFreePorts(host: string, count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, host, () => {
            const address = server.address();
            resolve(typeof address === 'object' && address ? address.port : 0);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}

/** Ports for a template: a distinct health port only when the template asks for one. */
export async function templatePorts(template: string, host: string): Promise<ServerPorts> {
  const wantsHealth = template.includes('{healthPort}');
  const [game, web, health] = await pickFreePorts(host, wantsHealth ? 3 : 2);
  if (game === undefined || web === undefined) throw new Error('could not pick free ports');
  return { game, web, health: health ?? web };
}
