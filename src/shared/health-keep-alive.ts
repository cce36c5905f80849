// How long a gameserver's health endpoint keeps an idle connection open. The manager polls each server
// once per POLL_INTERVAL, but at thousands of servers a round can spread polls of one server several
// seconds apart; with Node's default of 5 s (which undici trims by 2 s) every poll opened a new
// connection, and TIME-WAIT sockets piled up. A minute outlasts any poll gap we accept.
export const HEALTH_KEEP_ALIVE_MS = 65_000;
