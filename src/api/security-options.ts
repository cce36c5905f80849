// What the HTTP layer reads of its configuration: tokens, browsers, rate limit, proxies.
// src/config resolves the environment into values of this shape; src/main.ts passes them in.

export interface SecurityOptions {
  adminToken: string | undefined;
  allocateToken: string | undefined;
  /** ARBITER_READ_TOKEN: the read-only ops routes (server list, dashboard data, metrics); the admin token works too. */
  readToken?: string | undefined;
  heartbeatToken: string | undefined;
  /** Sent as a bearer token on gameservers' /drain/ and /undrain/ (their sidecars require it). */
  sidecarToken?: string;
  corsOrigins: string[];
  /** Allocations per client per minute; 0 turns the limit off. */
  allocateRateLimitPerMinute: number;
  /** Express `trust proxy` setting, for client addresses behind a load balancer. */
  trustProxy: string | undefined;
}
