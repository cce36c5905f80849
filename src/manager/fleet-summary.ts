// The one-line fleet summary a person watching the terminal reads (and a log search finds): servers by state,
// sessions, free capacity. Logged when it changes, looked at every few seconds, so a quiet fleet stays quiet.
// It reads the manager's running totals: building every server's view for it blocked the manager's thread for
// 50–80 ms every 5 s at 10,000 servers, the largest stall left on the allocation path (issue 14).
import type { Logger } from '../shared/log.js';
import type { FleetCounts } from './manager.js';

export interface SummarySource {
  counts(): FleetCounts;
  status(): { free: number; paused: boolean };
}

/** Pure: the summary line's fields for a fleet. */
export function fleetSummary(counts: FleetCounts, status: { free: number; paused: boolean }): Record<string, unknown> {
  const states = Object.entries(counts.byState)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return { servers: counts.servers, states: states || 'none', sessions: counts.sessions, free: status.free, ...(status.paused ? { paused: true } : {}) };
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
    const fields = fleetSummary(deps.manager.counts(), deps.manager.status());
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
