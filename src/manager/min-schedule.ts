// Scheduled capacity floors: tournament nights and weekend peaks are known in advance, so the
// operator can raise MIN_SERVERS before the players arrive instead of waiting for the margin to trip.
// Format: `CRON=N;CRON=N`, e.g. `0 18 * * 5=8;0 23 * * 5=1` (Fridays 18:00 → 8 servers, 23:00 → back to 1).
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
    if (!cron.validate(expression)) return { ok: false, error: `invalid cron expression ${JSON.stringify(expression)}` };
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

export interface MinScheduleHandle {
  stop(): Promise<void>;
}

/** Fires `onRule` each time a rule's cron expression matches. */
export function startMinSchedule(rules: readonly MinServersRule[], timezone: string | undefined, onRule: (rule: MinServersRule) => void): MinScheduleHandle {
  const tasks = rules.map((rule, i) =>
    cron.schedule(rule.cron, () => onRule(rule), { name: `min-servers-${i}`, ...(timezone ? { timezone } : {}) }),
  );
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= Promise.all(tasks.map(async (t) => t.destroy())).then(() => undefined);
      return stopped;
    },
  };
}
