// Scheduled capacity floors: tournament nights and weekend peaks are known in advance, so the
// operator can raise MIN_SERVERS before the players arrive instead of waiting for the margin to trip.
// Format: `CRON=N;CRON=N`, e.g. `0 18 * * 5=8;0 23 * * 5=1` (Fridays 18:00 → 8 servers, 23:00 → back to 1); the
// syntax is src/shared/min-schedule-syntax.ts. node-cron fires the rules; croner, which can say when an expression
// last matched, finds the rule in force at start.
import { Cron } from 'croner';
import cron from 'node-cron';
import type { MinServersRule } from '../shared/min-schedule-syntax.js';

export type { MinServersRule };

/** When `rule` last matched at or before `now`, or null if it never has (within croner's look-back). */
export function lastFired(rule: MinServersRule, timezone: string | undefined, now: Date): Date | null {
  const job = new Cron(rule.cron, { paused: true, ...(timezone ? { timezone } : {}) });
  try {
    // previousRuns looks strictly before its reference: nudge it so that a rule due this very second counts.
    return job.previousRuns(1, new Date(now.getTime() + 1000))[0] ?? null;
  } finally {
    job.stop();
  }
}

/**
 * The rule in force at `now`: the one that fired last (a later rule in the list wins a tie). A manager started or
 * restarted between two rules must hold the floor the earlier one set, not wait for the next one to fire.
 */
export function ruleInForce(rules: readonly MinServersRule[], timezone: string | undefined, now: Date): MinServersRule | null {
  let best: { rule: MinServersRule; at: number } | null = null;
  for (const rule of rules) {
    const at = lastFired(rule, timezone, now)?.getTime();
    if (at !== undefined && (best === null || at >= best.at)) best = { rule, at };
  }
  return best?.rule ?? null;
}

export interface MinScheduleHandle {
  stop(): Promise<void>;
}

/** Applies the rule in force now, then fires `onRule` each time a rule's cron expression matches. */
export function startMinSchedule(
  rules: readonly MinServersRule[],
  timezone: string | undefined,
  onRule: (rule: MinServersRule, how: 'in force at start' | 'fired') => void,
  now: Date = new Date(),
): MinScheduleHandle {
  const current = ruleInForce(rules, timezone, now);
  if (current) onRule(current, 'in force at start');
  const tasks = rules.map((rule, i) =>
    cron.schedule(rule.cron, () => onRule(rule, 'fired'), { name: `min-servers-${i}`, ...(timezone ? { timezone } : {}) }),
  );
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= Promise.all(tasks.map(async (t) => t.destroy())).then(() => undefined);
      return stopped;
    },
  };
}
