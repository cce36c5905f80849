// Client command templates: `{host}`, `{port}`… replaced by shell-quoted values, run with /bin/sh -c.

export const TEMPLATE_FIELDS = ['host', 'port', 'webPort', 'session', 'password', 'name', 'index', 'game'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TemplateValues = Record<TemplateField, string | number>;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Quotes for POSIX sh, so that a value is one word whatever it holds; `a'b` → `'a'\''b'`. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_.:\/@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Throws TemplateError for placeholders that are not fields, so that a typo fails before a match starts. */
export function checkTemplate(template: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const field = match[1] ?? '';
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      throw new TemplateError(`unknown placeholder {${field}} in client command; known: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(' ')}`);
    }
  }
}

export function renderCommand(template: string, values: TemplateValues): string {
  checkTemplate(template);
  return template.replace(PLACEHOLDER, (_, field: TemplateField) => shellQuote(String(values[field])));
}
