// The gameserver ports and the port rule every process agrees on, stated once: Cerveau's web (HTTP) port is its game
// (TCP) port + 80 (3000 → 3080), so a web port nobody named is derived the same way by the config, the API and the
// runner. A leaf: imports nothing from src/.

/** Ports a gameserver exposes. `health` serves GET /health/ (§3.1); often equal to `web`. */
export interface ServerPorts {
  /** Clients connect here (Cerveau TCP 3000). The legacy `available` field is host:game. */
  game: number;
  /** HTTP API a match runner uses (Cerveau 3080, or the sidecar in front of it). */
  web: number;
  /** Serves GET /health/, POST /drain/ and POST /undrain/. */
  health: number;
}

export const CERVEAU_WEB_PORT_OFFSET = 80;

/** The web port that goes with `gamePort` when none was given; never above the last TCP port. */
export function webPortFor(gamePort: number): number {
  return Math.min(65535, gamePort + CERVEAU_WEB_PORT_OFFSET);
}
