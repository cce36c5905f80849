// .env.example is what an operator reads: every variable the manager accepts is in it, with a comment,
// and its example values are themselves a valid configuration.
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ALIASES, envSchema } from '../../src/config/schema.js';

const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const lines = text.split('\n');

describe('.env.example', () => {
  it.each(Object.keys(envSchema.shape))('documents %s with a comment above it', (name) => {
    const at = lines.findIndex((l) => new RegExp(`^#? ?${name}=`).test(l));
    expect(at, `${name} is missing`).toBeGreaterThan(0);
    // The line above is a comment (the description), not another variable.
    let above = at - 1;
    while (above > 0 && /^#? ?[A-Z0-9_]+=/.test(lines[above] as string)) above -= 1;
    expect(lines[above]?.startsWith('#')).toBe(true);
  });

  it('mentions every seed alias', () => {
    for (const alias of Object.keys(ALIASES)) expect(text).toContain(alias);
  });

  it('is a valid configuration as written (uncommented lines only)', () => {
    const config = parseConfig(parse(text));
    expect(config.backend).toBe('local');
    expect(config.scaling).toMatchObject({ upscaleMargin: 4, downscaleMargin: 18, capacity: 10 });
  });
});
