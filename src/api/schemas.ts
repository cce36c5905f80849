// The shapes the API answers with, as zod schemas: the OpenAPI document is generated from them,
// and the types below are checked against the manager's own, so the description cannot drift.
import { z } from 'zod';
import type { HistorySnapshot } from '../manager/history.js';
import type { ServerView } from '../manager/snapshot.js';

const count = z.number().int().nonnegative();
const port = z.number().int().min(1).max(65535);
const isoTime = z.string().describe('ISO 8601 time');

export const errorSchema = z
  .object({
    error: z.string().describe('What went wrong, for people'),
    code: z.string().describe('A stable machine-readable code, e.g. not_found, forbidden, invalid_query'),
  })
  .meta({ id: 'Error' });

export const serverStateSchema = z.enum(['pending', 'active', 'standby', 'stopping', 'unhealthy']).meta({ id: 'ServerState' });

export const serverSchema = z
  .object({
    id: z.string().describe('Backend id (an ECS task ARN, or local-N)'),
    name: z.string().describe('Human name, stable across manager restarts'),
    state: serverStateSchema,
    address: z.string().nullable().describe('host:gamePort, or null before the address is known'),
    host: z.string().nullable(),
    ports: z.object({ game: port, web: port, health: port }).nullable(),
    inRotation: z.boolean().describe('Whether allocations can be sent to it now'),
    capacity: z.object({
      available: count.describe('Free slots the server last reported'),
      effective: count.describe('Free slots after live reservations, 0 when out of rotation'),
      max: count.nullable(),
    }),
    activeSessions: count,
    reservations: count.describe('Allocations handed out that have not shown up as sessions yet'),
    readyToClose: z.boolean(),
    draining: z.boolean(),
    ageSeconds: count,
    launchedAt: isoTime,
    lastPollAt: isoTime.nullable(),
    lastHealthyAt: isoTime.nullable(),
    reportSource: z.enum(['poll', 'heartbeat']).nullable(),
    failures: count.describe('Consecutive failed health polls'),
    lastError: z.string().nullable(),
    stopReason: z.string().nullable(),
    nameNote: z.string().nullable().describe('Why the name changed: a collision with another server (the one launched first keeps it), or a name not from the list'),
  })
  .strict()
  .meta({ id: 'Server' });

export const serverListSchema = z
  .object({
    servers: z.array(serverSchema),
    summary: z.object({ servers: count, free: count, paused: z.boolean() }).strict(),
  })
  .strict()
  .meta({ id: 'ServerList' });

export const allocationSchema = z
  .object({
    available: z.string().describe('host:gamePort'),
    server_id: z.string().nullable().describe('null for the backup server'),
    name: z.string(),
    host: z.string(),
    ports: z.object({ game: port, web: port }),
    backup: z.boolean().describe('true when no server had room and the backup was handed out'),
  })
  .meta({ id: 'Allocation' });

export const rotationSchema = z
  .object({ server_list: z.array(z.string().describe('host:gamePort')) })
  .meta({ id: 'Rotation' });

export const pausedSchema = z.object({ paused: z.boolean() }).meta({ id: 'ScalingState' });
export const acceptedSchema = z.object({ ok: z.literal(true) }).meta({ id: 'Accepted' });
export const livenessSchema = z
  .object({ status: z.enum(['ok', 'stale']), lastTickAt: isoTime.nullable() })
  .meta({ id: 'Liveness' });
export const readinessSchema = z
  .object({ ready: z.boolean(), servers: count, free: count })
  .meta({ id: 'Readiness' });

const epochMs = z.number().int().describe('milliseconds since the epoch');
export const historySchema = z
  .object({
    samples: z.array(z.object({ at: epochMs, free: count, upscaleMargin: count, downscaleMargin: count }).strict()).describe('free capacity against the margins, one sample per 5 s for the last hour'),
    events: z
      .array(
        z
          .object({
            at: epochMs,
            source: z.enum(['decision', 'action']).describe("the scaler's decision, or an operator's action"),
            kind: z.string(),
            serverId: z.string().nullable(),
            reason: z.string(),
          })
          .strict(),
      )
      .describe('latest first, at most 50'),
    allocations: z
      .object({ windowSeconds: count, served: count, backup: count, refused: count })
      .strict()
      .describe('allocation outcomes in the last windowSeconds'),
  })
  .strict()
  .meta({ id: 'History' });

// Compile-time proof that the schema and the manager's view describe the same object, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const serverMatches: Same<z.infer<typeof serverSchema>, ServerView> = true;
void serverMatches;
const historyMatches: Same<z.infer<typeof historySchema>, HistorySnapshot> = true;
void historyMatches;
