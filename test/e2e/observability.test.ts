// What the deployment's observability reads, checked against the real manager process (`node dist/src/main.js`,
// local mode): the Grafana dashboard queries only metrics its /metrics has, and the stack's CloudWatch metric
// filters match its 'fleet metrics' line and find a number in every field they read.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_METRIC_FIELDS, FLEET_METRICS_MESSAGE } from '../../infra/constructs/manager-alarms.js';
import { startLocalManager } from '../support/local-manager.js';
import { stopAll, type RunningProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

interface GrafanaPanel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: GrafanaPanel[];
}
const dashboard = JSON.parse(readFileSync(new URL('../../infra/grafana/arbiter.json', import.meta.url), 'utf8')) as {
  panels: GrafanaPanel[];
};
const queryPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');

/** Metric names a PromQL expression reads: the project's and Node's prefixes, label values left out. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\b(?:arbiter|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];
}

/** Names a scrape declares (# TYPE lines); a histogram's series are its name plus _bucket, _sum and _count. */
function scrapedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

let manager: RunningProcess;
let base: string;

beforeAll(async () => {
  ({ proc: manager, base } = await startLocalManager({
    MIN_SERVERS: '1',
    MAX_SERVERS: '1',
    SLEEP_TIME: '0.3',
    POLL_INTERVAL: '0.2',
    LOG_LEVEL: 'info',
    METRICS_LOG_INTERVAL: '1',
  }));
  await waitFor(async () => {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    return res?.ok;
  }, { timeoutMs: 20_000 });
});

afterAll(async () => {
  await stopAll();
});

describe('the Grafana dashboard', () => {
  it('queries something in every panel', () => {
    expect(queryPanels.length).toBeGreaterThan(10);
    for (const panel of queryPanels) {
      const names = (panel.targets ?? []).flatMap((t) => metricNames(t.expr));
      expect(names.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('uses only metrics the manager exposes', async () => {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    const exposed = scrapedNames(await res.text());
    const missing = queryPanels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((t) => metricNames(t.expr).filter((n) => !exposed.has(n)).map((n) => `${panel.title}: ${n}`)),
    );
    expect(missing).toEqual([]);
  });
});

describe('the CloudWatch metric filters', () => {
  it('turn the manager’s own line into numbers, backup hand-outs included', async () => {
    // One server of capacity 4 and MAX_SERVERS=1: the fifth seat goes to the backup.
    await waitFor(async () => {
      const res = await fetch(`${base}/available-gameserver-list/`, { signal: AbortSignal.timeout(2000) });
      return ((await res.json()) as { server_list: string[] }).server_list.length === 1;
    }, { timeoutMs: 20_000 });
    for (let i = 0; i < 5; i++) await fetch(`${base}/available-gameserver/`, { signal: AbortSignal.timeout(2000) });

    const line = await waitFor(
      () => manager.events().find((e) => e.message === 'fleet metrics' && e.inRotation === 1 && Number(e.backupAllocations) >= 1),
      { timeoutMs: 15_000 },
    );
    // test/unit/infra-safe-defaults.test.ts checks that the stack's metric filters are exactly these:
    // the pattern { $.message = "fleet metrics" }, one filter per field, dimension FleetId from $.fleetId.
    expect(line.message).toBe(FLEET_METRICS_MESSAGE);
    expect(line.fleetId).toBe('arbiter');
    for (const [metric, field] of Object.entries(FLEET_METRIC_FIELDS)) {
      const value = line[field];
      expect(typeof value === 'number' && Number.isFinite(value), `${metric} from $.${field}`).toBe(true);
    }
    expect(line).toMatchObject({ tickStale: 0, launchFailures: 0 });
  });
});
