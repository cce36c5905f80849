// The arena's Prometheus metrics, in a registry of their own (served on ARENA_METRICS_PORT).
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ArenaMetrics {
  registry: Registry;
  matches: Counter<'outcome'>;
  queueDepth: Gauge;
  running: Gauge;
  claimSeconds: Histogram;
  renewals: Counter<'result'>;
  takeovers: Counter;
  matchSeconds: Histogram<'outcome'>;
}

export function createArenaMetrics(): ArenaMetrics {
  const registry = new Registry();
  const metrics: ArenaMetrics = {
    registry,
    matches: new Counter({ name: 'arena_matches_total', help: 'Matches ended, by outcome (finished, failed, requeued, given_back, lease_lost)', labelNames: ['outcome'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'arena_queue_depth', help: 'Matches waiting in the queue (last read)', registers: [registry] }),
    running: new Gauge({ name: 'arena_matches_running', help: 'Matches this worker plays now', registers: [registry] }),
    claimSeconds: new Histogram({ name: 'arena_claim_seconds', help: 'Time of one claim query round trip', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    renewals: new Counter({ name: 'arena_lease_renewals_total', help: 'Lease renewals, by result (ok, lost, error)', labelNames: ['result'], registers: [registry] }),
    takeovers: new Counter({ name: 'arena_lease_takeovers_total', help: 'Expired leases this worker took over', registers: [registry] }),
    matchSeconds: new Histogram({ name: 'arena_match_duration_seconds', help: 'Match duration from claim to result', labelNames: ['outcome'], buckets: [1, 5, 15, 30, 60, 120, 300, 600], registers: [registry] }),
  };
  // Every outcome exists at 0 from the first scrape, so an alert on increase() sees the first failure.
  for (const outcome of ['finished', 'failed', 'requeued', 'given_back', 'lease_lost']) metrics.matches.inc({ outcome }, 0);
  for (const result of ['ok', 'lost', 'error']) metrics.renewals.inc({ result }, 0);
  return metrics;
}

export async function serveMetrics(metrics: ArenaMetrics, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
