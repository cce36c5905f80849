// The gameserver port rule every process agrees on, stated once: Cerveau's web (HTTP) port is its game (TCP) port
// + 80 (3000 → 3080), so a web port nobody named is derived the same way by the config, the API and the runner.
// A leaf: imports nothing from src/.

export const CERVEAU_WEB_PORT_OFFSET = 80;

/** The web port that goes with `gamePort` when none was given; never above the last TCP port. */
export function webPortFor(gamePort: number): number {
  return Math.min(65535, gamePort + CERVEAU_WEB_PORT_OFFSET);
}
