// The terminal form of a log event: one short line a person can read (time, level, event, server, the few fields
// that matter), coloured when the terminal takes colour. Pure: (event, options) → line.

export interface PrettyOptions {
  color: boolean;
}

/** Fields every line carries or that the line already shows in its own place. */
const HIDDEN = new Set(['timestamp', 'level', 'message', 'service', 'component', 'serverId', 'name', 'splat']);
const LEVEL_COLOR: Record<string, string> = { error: '31', warn: '33', info: '32', debug: '90' };
/** A field value longer than this is cut: a terminal line is for reading, the JSON form keeps everything. */
const MAX_VALUE = 160;
const MAX_FIELDS = 12;

function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Control characters (a hostile child's output, an escape sequence) never reach the terminal as such. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? ' ' : '?'));
}

function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  else if (value === null || typeof value !== 'object') text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  text = clean(text);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function clock(timestamp: unknown): string {
  const d = typeof timestamp === 'string' ? new Date(timestamp) : new Date();
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  return t.toTimeString().slice(0, 8);
}

export function formatPretty(event: Record<string, unknown>, options: PrettyOptions): string {
  const { color } = options;
  const level = String(event.level ?? 'info');
  const parts = [paint(color, '90', clock(event.timestamp)), paint(color, LEVEL_COLOR[level] ?? '0', level.toUpperCase().padEnd(5)), paint(color, '1', clean(String(event.message ?? '')))];
  const server = event.name ?? event.serverId;
  if (typeof server === 'string' && server !== '') parts.push(paint(color, '36', clean(server)));
  const fields: string[] = [];
  for (const [k, v] of Object.entries(event)) {
    if (HIDDEN.has(k) || v === undefined) continue;
    if (fields.length >= MAX_FIELDS) {
      fields.push('…');
      break;
    }
    fields.push(`${paint(color, '90', `${clean(k)}=`)}${show(v)}`);
  }
  return [...parts, ...fields].join(' ');
}
