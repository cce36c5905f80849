// What a worker needs from the database, whichever schema holds the matches.
export interface QueuedPlayer {
  seat: number;
  /** Team name in ophelia (pyrena's playerNames); the player's name in the arbiter schema. */
  name: string;
  /** arbiter schema: a runner command template. */
  command?: string;
  /** ophelia schema: the submission to build and run. */
  submissionId?: number;
  version?: number;
  /** ophelia's games_submissions.id, whose order is the seat order. */
  rowId?: number;
}

/** A claimed match: the lease (owner + attempt) under which its result may be written. */
export interface Claim {
  matchId: number;
  attempt: number;
  owner: string;
  game: string;
  players: QueuedPlayer[];
  /** True when this claim took over a lease that had expired. */
  takeover: boolean;
}

export interface FinishedMatch {
  winnerSeat: number | null;
  winReason: string | null;
  loseReason: string | null;
  logUrl: string | null;
  /** One per seat, in seat order. */
  outputUrls: Array<string | null>;
}

export interface QueueOptions {
  leaseSeconds: number;
  maxAttempts: number;
  /** The game name used for ophelia matches, which store none. */
  game: string;
}

export type RequeueResult = 'queued' | 'failed' | 'lost';

export interface MatchQueue {
  /** Claims an expired lease or the lowest queued match; null when there is nothing to do. */
  claim(owner: string): Promise<Claim | null>;
  /** Extends the lease; false when it is no longer ours (taken over, or the match was ended). */
  renew(claim: Claim): Promise<boolean>;
  /** Each returns false when the lease is no longer ours: nothing was written. */
  finish(claim: Claim, result: FinishedMatch): Promise<boolean>;
  fail(claim: Claim, reason: string, outputUrls?: Array<string | null>): Promise<boolean>;
  /** A fleet fault: back to the queue, the attempt counted; failed once MAX_ATTEMPTS is used up. */
  requeue(claim: Claim, reason: string): Promise<RequeueResult>;
  /** Shutdown: back to the queue with the attempt not counted. */
  giveBack(claim: Claim): Promise<boolean>;
  /** Matches waiting to be played. */
  depth(): Promise<number>;
  /** ophelia: records a submission's build outcome as pyrena does. */
  recordBuild?(submissionId: number, ok: boolean, logUrl: string | null): Promise<void>;
}

/**
 * Claims through `claimOnce`, which answers 'again' after it settled something in the way (failed a match out of
 * attempts, released a lease nobody holds) and a claim may still succeed. Bounded: past `limit` settlements in one
 * call it reports nothing to do, and the worker's next poll goes on where this one stopped.
 */
export async function claimSettling(claimOnce: () => Promise<Claim | null | 'again'>, limit = 100): Promise<Claim | null> {
  for (let i = 0; i < limit; i++) {
    const got = await claimOnce();
    if (got !== 'again') return got;
  }
  return null;
}
