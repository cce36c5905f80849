// Node prints process warnings to stderr as multi-line text, and the AWS SDK's "Node version" notice is one of them.
// Routed through the logger instead: one line each, and a warning already logged is not logged again.
import type { Logger } from './log.js';

let routed = false;

export function routeWarnings(logger: Logger): void {
  if (routed) return;
  routed = true;
  const seen = new Set<string>();
  // Node's own printer is the default 'warning' listener; this replaces it.
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error) => {
    const key = `${warning.name}:${warning.message}`;
    if (seen.has(key) || seen.size >= 100) return;
    seen.add(key);
    const text = warning.message.replace(/\s+/g, ' ').trim();
    logger.warn('process warning', { warning: warning.name, detail: text.length > 300 ? `${text.slice(0, 299)}…` : text });
  });
}
