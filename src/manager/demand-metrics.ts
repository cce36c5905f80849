// Metrics of demand (issue "Scaling from demand"): waiting allocations, how long they waited, the estimates the
// demand-aware headroom uses, and the headroom held per source. Gauges are read from the owner when scraped.
import { Gauge, Histogram, type Registry } from 'prom-client';

export interface DemandGaugeSource {
  waiting(): number;
  arrivalRate(): number;
  launchLatencySeconds(): number;
  /** Seats of headroom above UPSCALE_MARGIN, by source: `waiting`, `in_flight`, and each outside signal as `signal:<name>`. */
  headroomBySource(): Record<string, number>;
}

export interface DemandMetrics {
  waitSeconds: Histogram<'result'>;
}

export function createDemandMetrics(registry: Registry, source: DemandGaugeSource): DemandMetrics {
  new Gauge({
    name: 'arbiter_waiting_allocations',
    help: 'Allocations waiting for a seat (?wait=).',
    registers: [registry],
    collect() {
      this.set(source.waiting());
    },
  });
  new Gauge({
    name: 'arbiter_allocation_arrival_rate',
    help: 'Allocation requests per second (EWMA, backup hand-outs included).',
    registers: [registry],
    collect() {
      this.set(source.arrivalRate());
    },
  });
  new Gauge({
    name: 'arbiter_launch_latency_seconds',
    help: 'p90 time from launch to rotation over the last launches.',
    registers: [registry],
    collect() {
      this.set(source.launchLatencySeconds());
    },
  });
  new Gauge({
    name: 'arbiter_headroom_seats',
    help: 'Seats held free above UPSCALE_MARGIN, by source.',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, seats] of Object.entries(source.headroomBySource())) this.set({ source: name }, seats);
    },
  });
  return {
    waitSeconds: new Histogram({
      name: 'arbiter_allocation_wait_seconds',
      help: 'Time an allocation with ?wait= spent waiting, by result (server, timeout).',
      labelNames: ['result'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60],
      registers: [registry],
    }),
  };
}
