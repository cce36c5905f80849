// The Cerveau capacity sidecar: a proxy in front of Cerveau's web port that counts the sessions created through
// POST /setup, refuses new ones when full or draining, and serves the §3.1 health contract.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthBodyFor, type FullHealthBody } from '../shared/gameserver-health.js';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { HEALTH_KEEP_ALIVE_MS } from '../shared/health-keep-alive.js';
import { listenOn } from '../shared/listen.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { bearerMatches } from './bearer.js';
import { CerveauProbe } from './cerveau-probe.js';
import { proxyRequest, readBody, sendJson } from './proxy.js';
import { handleRelease, isReleasePath } from './release.js';
import { isSetupPath, parseSetupRequest, pathSegments, type CanonicalSetup } from './setup-request.js';
import { SessionTracker, type TrackedSession } from './session-tracker.js';

export interface SidecarOptions {
  cerveauUrl: string;
  maxSessions: number;
  port?: number;
  host?: string;
  sessionDeadlineMs?: number;
  crashGraceMs?: number;
  joinDeadlineMs?: number;
  statusPollIntervalMs?: number;
  /** How often a session past its join deadline is checked for a late start. */
  lapsedCheckMs?: number;
  statusTimeoutMs?: number;
  statusConcurrency?: number;
  /** How often Cerveau's web API is asked whether it answers, and how long it may take. */
  cerveauProbeIntervalMs?: number;
  cerveauProbeTimeoutMs?: number;
  /** Idle time after which a proxied exchange with Cerveau is abandoned. */
  proxyIdleTimeoutMs?: number;
  /**
   * When set, /drain/ and /undrain/ need `Authorization: Bearer <token>` (the manager's ARBITER_SIDECAR_TOKEN), and
   * /release/ needs it or the session's setup password.
   */
  drainToken?: string;
  logger?: Logger;
  clock?: Clock;
}

export type SidecarHealth = FullHealthBody;

export interface Sidecar {
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
  health(): SidecarHealth;
  /** Null while Cerveau answers its probes; otherwise why it counts as down (and /health/ fails). */
  cerveauProblem(): string | null;
  drain(): void;
  undrain(): void;
  sessions(): TrackedSession[];
  /** One status pass over every live session, for tests that do not want to wait for the timer. */
  pollNow(): Promise<void>;
}

const SETUP_BODY_LIMIT = 1024 * 1024;

function positive(name: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a number ≥ ${min}, got ${value}`);
  return value;
}

export function createSidecar(options: SidecarOptions): Sidecar {
  const upstream = new URL(options.cerveauUrl);
  if (upstream.protocol !== 'http:') throw new RangeError(`cerveauUrl must be an http:// URL, got ${options.cerveauUrl}`);
  const maxSessions = positive('maxSessions', options.maxSessions);
  const logger = options.logger ?? createSilentLogger();
  const clock = options.clock ?? systemClock;
  const tracker = new SessionTracker({
    cerveauUrl: upstream.toString(),
    sessionDeadlineMs: positive('sessionDeadlineMs', options.sessionDeadlineMs ?? 3_700_000),
    crashGraceMs: positive('crashGraceMs', options.crashGraceMs ?? 30_000),
    joinDeadlineMs: positive('joinDeadlineMs', options.joinDeadlineMs ?? 120_000),
    pollIntervalMs: positive('statusPollIntervalMs', options.statusPollIntervalMs ?? 2000),
    lapsedCheckMs: positive('lapsedCheckMs', options.lapsedCheckMs ?? 10_000),
    statusTimeoutMs: positive('statusTimeoutMs', options.statusTimeoutMs ?? 2000),
    concurrency: positive('statusConcurrency', options.statusConcurrency ?? 8),
    logger,
    clock,
  });
  const proxyOptions = { upstream, idleTimeoutMs: positive('proxyIdleTimeoutMs', options.proxyIdleTimeoutMs ?? 60_000), logger };

  const probe = new CerveauProbe({
    cerveauUrl: upstream.toString(),
    intervalMs: positive('cerveauProbeIntervalMs', options.cerveauProbeIntervalMs ?? 2000),
    timeoutMs: positive('cerveauProbeTimeoutMs', options.cerveauProbeTimeoutMs ?? 2000),
    logger,
  });
  let draining = false;
  /** Setups forwarded to Cerveau and not yet answered: they hold a slot. */
  let inFlight = 0;
  const live = (): number => tracker.size + inFlight;

  const health = (): SidecarHealth => healthBodyFor({ capacity: maxSessions, activeSessions: live(), draining, accepting: probe.up });

  async function handleSetup(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (draining) return sendJson(res, 503, { error: 'This gameserver is draining and accepts no new sessions.' });
    if (!probe.up) return sendJson(res, 503, { error: `This gameserver's Cerveau does not answer: ${probe.problem}.` });
    if (live() >= maxSessions) return sendJson(res, 503, { error: `This gameserver is full (${maxSessions} sessions).` });
    inFlight += 1; // reserved before the first await, so concurrent setups cannot overshoot
    let status = 502;
    let setup: CanonicalSetup | null = null;
    try {
      const raw = await readBody(req, SETUP_BODY_LIMIT).catch((err: Error) => {
        sendJson(res, 413, { error: err.message });
        return null;
      });
      if (!raw) return;
      const parsed = parseSetupRequest(
        { 'content-type': req.headers['content-type'], 'content-encoding': req.headers['content-encoding'] },
        raw,
        SETUP_BODY_LIMIT,
      );
      if (!parsed.ok) {
        status = parsed.status;
        sendJson(res, parsed.status, { error: parsed.error });
        return;
      }
      setup = parsed.setup;
      // Cerveau gets only the request the sidecar parsed, never the client's bytes.
      const body = Buffer.from(JSON.stringify(setup), 'utf8');
      status = await proxyRequest(req, res, proxyOptions, body, {
        path: '/setup',
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      });
    } finally {
      inFlight -= 1;
      if (status >= 200 && status < 300 && setup) tracker.add(setup.gameName, setup.session, setup.password);
      else if (setup) logger.info('setup refused upstream', { gameName: setup.gameName, gameSession: setup.session, status });
    }
  }

  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    // Routed the way Cerveau's express app routes: case-insensitive, trailing slashes optional.
    const path = `/${(pathSegments(req.url) ?? []).join('/')}`;
    const method = req.method ?? 'GET';
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET /health/.' });
      // Non-2xx while Cerveau does not answer: the manager takes the server out of rotation at once.
      if (!probe.up) return sendJson(res, 503, { ...health(), error: probe.problem });
      return sendJson(res, 200, health());
    }
    if (path === '/drain' || path === '/undrain') {
      if (method !== 'POST') return sendJson(res, 405, { error: `Use POST ${path}/.` });
      if (options.drainToken !== undefined && !bearerMatches(req.headers.authorization, options.drainToken)) {
        logger.warn('drain refused without the manager token', { path });
        res.setHeader('www-authenticate', 'Bearer');
        return sendJson(res, 401, { error: `${path}/ needs the manager's bearer token (ARBITER_SIDECAR_TOKEN).` });
      }
      if (path === '/drain') sidecar.drain();
      else sidecar.undrain();
      return sendJson(res, 200, health());
    }
    if (method === 'POST' && isSetupPath(req.url)) return handleSetup(req, res);
    if (isReleasePath(req.url)) return handleRelease(req, res, { tracker, token: options.drainToken, logger, health });
    return proxyRequest(req, res, proxyOptions).then(() => undefined);
  }

  const server: Server = createServer((req, res) => {
    Promise.resolve(route(req, res)).catch((err: unknown) => {
      logger.error('request failed', { method: req.method, error: (err as Error).message });
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal sidecar error.' });
      else res.destroy();
    });
  });

  server.keepAliveTimeout = HEALTH_KEEP_ALIVE_MS;
  let closing: Promise<void> | null = null;

  const sidecar: Sidecar = {
    async listen() {
      const address = await listenOn(server, options.port ?? 3090, options.host ?? '0.0.0.0');
      tracker.start();
      logger.info('sidecar listening', { host: address.address, port: address.port, cerveauUrl: upstream.origin, maxSessions });
      // The first probe is awaited, so that a sidecar in front of a running Cerveau is ready when listen() returns.
      await probe.start();
      return address;
    },
    close() {
      closing ??= (async () => {
        try {
          await probe.close();
        } catch (err) {
          logger.error('closing the Cerveau probe failed', { error: (err as Error).message });
        }
        try {
          await tracker.close();
        } catch (err) {
          logger.error('closing the session tracker failed', { error: (err as Error).message });
        }
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        }
      })();
      return closing;
    },
    health,
    cerveauProblem: () => (probe.up ? null : probe.problem),
    drain() {
      if (!draining) logger.info('draining', { activeSessions: live() });
      draining = true;
    },
    undrain() {
      if (draining) logger.info('undrained', { activeSessions: live() });
      draining = false;
    },
    sessions: () => tracker.list(),
    pollNow: () => tracker.pollOnce(),
  };
  return sidecar;
}
