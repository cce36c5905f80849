// zod parsers for environment strings, shared by every program's configuration (manager, sidecar).
// Each takes the raw string and names what it expected, so a bad variable gets a message a person can act on.
import { z } from 'zod';

/** A whole number within [min, max]. */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));

/** Seconds, fractions allowed ("0.5"), returned as milliseconds. */
export const seconds = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `expected a number of seconds from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected a number of seconds from ${min} to ${max}`).max(max, `expected a number of seconds from ${min} to ${max}`))
    .transform((s) => Math.round(s * 1000));

/** true/false, 1/0, yes/no, on/off. */
export const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** Comma-separated items, blanks dropped. */
export const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);
