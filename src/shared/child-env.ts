// The environment a child process we start (a gameserver, a bot client, a game server launcher) gets: an allow-list,
// never a copy of ours. Our own environment holds the admin, heartbeat and allocation tokens and the AWS keys, and any
// process can read another's /proc/PID/environ when it runs as the same user. A leaf: imports nothing from src/.

/** Variables a child gets when they are set here: the search path, the user's home and identity, locale, time zone, temp dir. */
export const CHILD_ENV_ALLOWED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TZ', 'LANG', 'LANGUAGE', 'TERM'] as const;

/** Every `LC_*` locale variable passes too (LC_ALL, LC_CTYPE, ...). */
const LOCALE_PREFIX = 'LC_';

/** A name a child may be given on request: an ordinary POSIX variable name. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ChildEnvOptions {
  /**
   * Names the operator asked to pass through as well (e.g. from LOCAL_GAMESERVER_ENV); each is copied from `source`
   * when set there. Names that are not plain variable names are ignored.
   */
  passThrough?: readonly string[];
  /** Values this process sets for the child (they win over the copied ones), e.g. the demo's LOG_LEVEL. */
  set?: Readonly<Record<string, string>>;
}

/**
 * Builds the environment for a child process: the allow-listed variables (CHILD_ENV_ALLOWED and LC_*), the operator's
 * pass-through names, then `options.set`. Nothing else of `source` reaches the child, so no token or key does unless
 * the operator names it.
 */
export function childEnv(source: NodeJS.ProcessEnv, options: ChildEnvOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const copy = (name: string): void => {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  };
  for (const name of CHILD_ENV_ALLOWED) copy(name);
  for (const name of Object.keys(source)) if (name.startsWith(LOCALE_PREFIX)) copy(name);
  for (const name of options.passThrough ?? []) if (VARIABLE_NAME.test(name)) copy(name);
  for (const [name, value] of Object.entries(options.set ?? {})) env[name] = value;
  return env;
}

/** Parses a comma- or space-separated list of variable names; returns the names that are not valid ones as `invalid`. */
export function parseEnvNameList(raw: string | undefined): { names: string[]; invalid: string[] } {
  const parts = (raw ?? '').split(/[\s,]+/).filter((part) => part.length > 0);
  return { names: parts.filter((p) => VARIABLE_NAME.test(p)), invalid: parts.filter((p) => !VARIABLE_NAME.test(p)) };
}
