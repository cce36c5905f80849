// Request and response shapes of the demand routes (`?wait=` on allocations, POST /api/demand), as zod schemas so
// they can be published in the OpenAPI document.
import { z } from 'zod';
import { MAX_SIGNAL_SEATS, MAX_SIGNAL_TTL_SECONDS } from '../../manager/demand-signals.js';

/** The longest an allocation may wait for a seat. */
export const MAX_WAIT_SECONDS = 60;

/** `?wait=SECONDS`: 0 to 60, decimals allowed. */
export const waitQuerySchema = z
  .string()
  .regex(/^\d{1,2}(\.\d{1,3})?$/, `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`)
  .transform(Number)
  .refine((n) => n <= MAX_WAIT_SECONDS, `wait must be at most ${MAX_WAIT_SECONDS} seconds`);

export const demandRequestSchema = z
  .object({
    source: z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'source must be 1 to 64 letters, digits or _ . : @ -'),
    seats: z.number().int().min(0).max(MAX_SIGNAL_SEATS),
    ttl: z.number().positive().max(MAX_SIGNAL_TTL_SECONDS),
  })
  .strict();

export const demandResponseSchema = z.object({
  source: z.string(),
  seats: z.number().int(),
  expiresAt: z.string(),
  /** Seats announced by every live source together. */
  totalSeats: z.number().int(),
});

export const demandListSchema = z.object({
  signals: z.array(z.object({ source: z.string(), seats: z.number().int(), expiresAt: z.string() })),
  headroom: z.record(z.string(), z.number()),
  waiting: z.number().int(),
});

