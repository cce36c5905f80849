// The gameserver contract (§3.1), stated once for every process that speaks it: the manager and the backup check
// read it, the demo gameserver, the sidecar and the simulator's gameservers answer it (gameserver-health.ts builds
// their answer without loading zod). A leaf: imports nothing from another src/ folder.
import { z } from 'zod';

export { CERVEAU_WEB_PORT_OFFSET, webPortFor, type ServerPorts } from './gameserver-ports.js';

const count = z.number().int().nonnegative();

/** GET /health/ → 200 with this body; the extra fields are optional. Anything else is a failed poll. */
export const healthBodySchema = z.object({
  available_capacity: count,
  ready_to_close: z.boolean(),
  max_capacity: count.optional(),
  active_sessions: count.optional(),
  draining: z.boolean().optional(),
});

/** What a gameserver may answer. */
export type HealthBody = z.infer<typeof healthBodySchema>;

/** What Arbiter's own gameservers answer: every optional field filled in. */
export type FullHealthBody = Required<HealthBody>;
