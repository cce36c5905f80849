// The syntax of MIN_SERVERS_SCHEDULE, `CRON=N;CRON=N` (e.g. `0 18 * * 5=8;0 23 * * 5=1`): config refuses a bad
// schedule at start, and the manager's src/manager/min-schedule.ts fires the rules. Pure: nothing is scheduled here.
// The expression must suit both node-cron (which fires it) and croner (which finds the rule in force at start).
import { Cron } from 'croner';
import cron from 'node-cron';

export interface MinServersRule {
  cron: string;
  minServers: number;
}

export type ParsedSchedule = { ok: true; rules: MinServersRule[] } | { ok: false; error: string };

export function parseMinSchedule(text: string): ParsedSchedule {
  const rules: MinServersRule[] = [];
  for (const raw of text.split(';')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.lastIndexOf('=');
    const expression = eq > 0 ? entry.slice(0, eq).trim() : '';
    const count = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!expression || !/^\d{1,5}$/.test(count)) {
      return { ok: false, error: `expected entries like "0 18 * * 5=8" separated by ";" (got ${JSON.stringify(entry)})` };
    }
    if (!cron.validate(expression) || !lastMatchable(expression)) return { ok: false, error: `invalid cron expression ${JSON.stringify(expression)}` };
    rules.push({ cron: expression, minServers: Number(count) });
  }
  return { ok: true, rules };
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function lastMatchable(expression: string): boolean {
  try {
    new Cron(expression, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}
