// Where the demo submission (src/arena/demo/bot: Makefile + run) lives, from src/ or from dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function demoBotDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'src', 'arena', 'demo', 'bot');
    if (existsSync(join(candidate, 'Makefile'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('the demo submission (src/arena/demo/bot) is missing from this installation');
}
