// Arbiter's own tables, as numbered migrations. Applied in order, each in its own transaction, and recorded in
// arbiter.schema_migrations; never edit one that has shipped, add the next number.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'matches, players, attempts',
    sql: `
CREATE TABLE arbiter.matches (
  id bigserial PRIMARY KEY,
  game text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'playing', 'finished', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  lease_owner text,
  lease_attempt integer,
  lease_expires_at timestamptz,
  winner text,
  reason text,
  log_url text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- the claim reads only these partial indexes, so a million finished rows cost it nothing
CREATE INDEX matches_queued ON arbiter.matches (id) WHERE status = 'queued';
CREATE INDEX matches_leased ON arbiter.matches (lease_expires_at) WHERE status = 'playing';
CREATE TABLE arbiter.match_players (
  id bigserial PRIMARY KEY,
  match_id bigint NOT NULL REFERENCES arbiter.matches (id) ON DELETE CASCADE,
  seat integer NOT NULL,
  name text NOT NULL,
  command text NOT NULL,
  output_url text,
  UNIQUE (match_id, seat)
);
CREATE TABLE arbiter.match_attempts (
  match_id bigint NOT NULL REFERENCES arbiter.matches (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  owner text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  outcome text,
  reason text,
  PRIMARY KEY (match_id, attempt)
);`,
  },
  {
    version: 2,
    name: 'ophelia side tables: leases and attempts',
    sql: `
-- ophelia's games table has no lease columns and gets none: the lease lives here, one row per game
CREATE TABLE arbiter.ophelia_leases (
  game_id integer PRIMARY KEY,
  owner text,
  attempt integer NOT NULL DEFAULT 0,
  expires_at timestamptz
);
CREATE INDEX ophelia_leases_expiry ON arbiter.ophelia_leases (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE arbiter.ophelia_attempts (
  game_id integer NOT NULL,
  attempt integer NOT NULL,
  owner text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  outcome text,
  reason text,
  PRIMARY KEY (game_id, attempt)
);`,
  },
  {
    version: 3,
    name: 'tournaments: which series each game belongs to',
    sql: `
-- one table for both schemas: match_id is arbiter.matches.id or ophelia's games.id
CREATE TABLE arbiter.tournament_games (
  tournament text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('round-robin', 'elimination')),
  round integer NOT NULL,
  series integer NOT NULL,
  match_id bigint NOT NULL,
  PRIMARY KEY (tournament, match_id)
);`,
  },
];

/**
 * Run against an ophelia database: indexes (not columns) so that the claim stays fast however many games were played:
 * the lowest queued id, and a game's seats (ophelia's DDL has no index on games_submissions.game_id, so reading the
 * seats of one game would scan every seat of every game ever played).
 */
export const OPHELIA_INDEX_SQL = `CREATE INDEX IF NOT EXISTS arbiter_games_queued ON games (id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS arbiter_games_submissions_game ON games_submissions (game_id)`;
