// The one-line fleet summary a person watching the terminal reads (and a log search finds): servers by state,
// sessions, free capacity. Logged when it changes, looked at every few seconds, so a quiet fleet stays quiet.
import type { Logger } from '../shared/log.js';
import type { ServerView } from './snapshot.js';

export interface SummarySource {
  servers(): ServerView[];
  status(): { free: number; paused: boolean };
}

/** Pure: the summary line's fields for a fleet. */
export function fleetSummary(servers: readonly ServerView[], status: { free: number; paused: boolean }): Record<string, unknown> {
  const byState: Record<string, number> = {};
  let sessions = 0;
  for (const s of servers) {
    byState[s.state] = (byState[s.state] ?? 0) + 1;
    sessions += s.activeSessions;
  }
  const states = Object.entries(byState)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return { servers: servers.length, states: states || 'none', sessions, free: status.free, ...(status.paused ? { paused: true } : {}) };
}

/** Where a person finds the manager: the API and the dashboard, on an address a browser can open. */
export function urlsOf(host: string, port: number): { api: string; dashboard: string } {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${shown}:${port}`;
  return { api: `${base}/api/servers`, dashboard: `${base}/` };
}

export function startFleetSummary(deps: { manager: SummarySource; logger: Logger; everyMs?: number }): { stop(): void } {
  let last = '';
  const look = () => {
    const fields = fleetSummary(deps.manager.servers(), deps.manager.status());
    const key = JSON.stringify(fields);
    if (key === last) return;
    last = key;
    deps.logger.info('fleet', fields);
  };
  const timer = setInterval(look, deps.everyMs ?? 5000);
  timer.unref();
  look();
  return { stop: () => clearInterval(timer) };
}
