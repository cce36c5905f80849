// The tables of ophelia's db/init.sql that the arena reads and writes (users, teams, submissions, games,
// games_submissions), column for column, for the demo and the tests: an existing ophelia database already has them.
// (ophelia's file lacks a comma after submissions.lang; it is restored here.)
export const OPHELIA_DDL = `
CREATE TABLE users (
  id serial PRIMARY KEY,
  name varchar(64) NOT NULL UNIQUE,
  contact_email varchar(64) NOT NULL UNIQUE,
  contact_name varchar(64) NOT NULL,
  hash_iterations integer NOT NULL DEFAULT 0,
  password varchar(255) NOT NULL,
  role text CHECK (role IN ('user', 'admin')) NOT NULL,
  salt varchar(255) NOT NULL,
  active boolean NOT NULL DEFAULT false,
  form_response json,
  bio varchar(1024),
  profile_pic bytea,
  created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE teams (
  id serial PRIMARY KEY,
  name varchar(64) NOT NULL UNIQUE,
  is_eligible boolean NOT NULL,
  is_paid boolean NOT NULL,
  is_closed boolean NOT NULL,
  team_captain_id integer REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE submissions (
  id serial PRIMARY KEY,
  team_id integer NOT NULL REFERENCES teams (id),
  version integer NOT NULL,
  data bytea NOT NULL,
  lang text CHECK (lang IN ('cs', 'cpp', 'java', 'js', 'py', 'lua', 'Human')) NOT NULL,
  status text CHECK (status IN ('queued', 'building', 'finished', 'failed')) NOT NULL,
  submission_url varchar(255),
  log_url varchar(255),
  image_name varchar(255),
  created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (team_id, version)
);
CREATE TABLE games (
  id serial PRIMARY KEY,
  status text CHECK (status IN ('queued', 'playing', 'finished', 'failed')) NOT NULL,
  win_reason varchar(255),
  lose_reason varchar(255),
  winner_id integer REFERENCES submissions (id),
  log_url varchar(255),
  created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE games_submissions (
  id serial PRIMARY KEY,
  submission_id integer NOT NULL REFERENCES submissions (id),
  game_id integer NOT NULL REFERENCES games (id),
  output_url varchar(255),
  created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
`;

/** Seeds a team (with a captain, as pyrena's pairing query wants) and one submission; returns the submission id. */
export const SEED_TEAM_SQL = {
  user: `INSERT INTO users (name, contact_email, contact_name, password, role, salt) VALUES ($1::varchar, $1::varchar || '@arena.invalid', $1::varchar, 'x', 'user', 'x') RETURNING id`,
  team: `INSERT INTO teams (name, is_eligible, is_paid, is_closed, team_captain_id) VALUES ($1, true, true, false, $2) RETURNING id`,
  submission: `INSERT INTO submissions (team_id, version, data, lang, status) VALUES ($1, $2, $3, 'js', 'queued') RETURNING id`,
};
