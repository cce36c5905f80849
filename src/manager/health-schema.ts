// The gameserver /health/ contract (§3.1, src/shared/gameserver-contract.ts) read into the manager's HealthReport.
// Anything that fails the schema is a failed poll.
import { healthBodySchema } from '../shared/gameserver-contract.js';
import { describeFirstIssue } from '../shared/zod-errors.js';
import type { HealthReport } from './types.js';

export type ParsedHealth = { ok: true; report: HealthReport } | { ok: false; error: string };

export function parseHealthBody(body: unknown): ParsedHealth {
  const parsed = healthBodySchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, error: `invalid health answer: ${describeFirstIssue(parsed.error, { whole: 'body', fallback: 'does not match the contract' })}` };
  }
  const b = parsed.data;
  const report: HealthReport = { availableCapacity: b.available_capacity, readyToClose: b.ready_to_close };
  if (b.max_capacity !== undefined) report.maxCapacity = b.max_capacity;
  if (b.active_sessions !== undefined) report.activeSessions = b.active_sessions;
  if (b.draining !== undefined) report.draining = b.draining;
  return { ok: true, report };
}
