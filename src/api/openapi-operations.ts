// Every route the manager serves, as data: method, path, who may call, what it takes and answers.
// openapi.ts turns this list into the published document; a test compares it with the express router.
import { z } from 'zod';
import { allocationQuery } from './routes/allocation.js';
import { demandListSchema, demandRequestSchema, demandResponseSchema } from './routes/demand-schemas.js';
import { heartbeatSchema } from './routes/heartbeat.js';
import {
  acceptedSchema,
  allocationSchema,
  errorSchema,
  historySchema,
  livenessSchema,
  pausedSchema,
  readinessSchema,
  rotationSchema,
  serverListSchema,
  serverSchema,
} from './schemas.js';

export type Security = 'admin' | 'allocate' | 'heartbeat';
export type Schema = z.ZodType;

export interface Answer {
  description: string;
  schema?: Schema;
  /** Media type when not JSON (the dashboard, the metrics). */
  media?: string;
}

export interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  tag: 'allocation' | 'fleet' | 'admin' | 'gameserver' | 'operations';
  /** Who may call: a token, or anyone when the token is optional (allocation without ARBITER_ALLOCATE_TOKEN). */
  security?: { scheme: Security; optional?: boolean };
  query?: z.ZodObject;
  pathId?: boolean;
  body?: Schema;
  responses: Record<string, Answer>;
}

const err = (description: string): Answer => ({ description, schema: errorSchema });
const tokenErrors = (what: string): Record<string, Answer> => ({
  '401': err(`no bearer token for ${what}`),
  '403': err(`wrong token, or ${what} disabled because its token is not configured`),
});
const adminErrors = { ...tokenErrors('the admin API'), '404': err('no server with that id'), '409': err('the server is busy or already stopping') };

const allocationOp = (path: string, operationId: string): Operation => ({
  method: 'get',
  path,
  operationId,
  summary: 'A gameserver with room (the seed route; also answers with a trailing slash, as the seed clients call it)',
  tag: 'allocation',
  security: { scheme: 'allocate', optional: true },
  query: allocationQuery,
  responses: {
    '200': { description: 'a server, or the backup with backup=true', schema: allocationSchema },
    '400': err('unknown or invalid query parameter'),
    ...tokenErrors('allocation'),
    '429': err('more allocations a minute than ALLOCATE_RATE_LIMIT_PER_MINUTE from this client'),
    '503': err('no server has room and no backup is configured'),
  },
});

const rotationOp = (path: string, operationId: string): Operation => ({
  method: 'get',
  path,
  operationId,
  summary: 'Addresses of the servers in rotation (the seed route; also answers with a trailing slash)',
  tag: 'allocation',
  security: { scheme: 'allocate', optional: true },
  responses: { '200': { description: 'host:port of each server in rotation', schema: rotationSchema }, '400': err('unknown query parameter'), ...tokenErrors('allocation') },
});

const adminOp = (method: 'post' | 'delete', path: string, operationId: string, summary: string): Operation => ({
  method,
  path,
  operationId,
  summary,
  tag: 'admin',
  security: { scheme: 'admin' },
  pathId: true,
  responses: { '200': { description: 'the server after the change', schema: serverSchema }, ...adminErrors },
});

/** Every route the app serves. A test compares this list with the express router. */
export const operations: Operation[] = [
  allocationOp('/available-server', 'allocateServer'),
  allocationOp('/available-gameserver', 'allocateGameserver'),
  rotationOp('/available-server-list', 'listServerAddresses'),
  rotationOp('/available-gameserver-list', 'listGameserverAddresses'),
  {
    method: 'get',
    path: '/api/servers',
    operationId: 'listServers',
    summary: 'Every server with state, capacity, sessions, age, last poll and failures',
    tag: 'fleet',
    responses: { '200': { description: 'the fleet', schema: serverListSchema } },
  },
  {
    method: 'get',
    path: '/api/servers/{id}',
    operationId: 'getServer',
    summary: 'One server',
    tag: 'fleet',
    pathId: true,
    responses: { '200': { description: 'the server', schema: serverSchema }, '404': err('no server with that id') },
  },
  {
    method: 'get',
    path: '/api/history',
    operationId: 'getHistory',
    summary: 'Free capacity over the last hour, recent scaling decisions and operator actions, allocation outcomes in the last 5 minutes',
    tag: 'fleet',
    responses: { '200': { description: 'the in-memory history', schema: historySchema } },
  },
  {
    method: 'get',
    path: '/api/proxy/nginx',
    operationId: 'getNginxProxyConfig',
    summary: 'An nginx stream config: one stable port per server name (PROXY_BASE_PORT + its place in the name list), pointing at its current address',
    tag: 'fleet',
    security: { scheme: 'allocate', optional: true },
    responses: {
      '200': { description: 'nginx configuration to include at the top level of nginx.conf', media: 'text/plain', schema: z.string() },
      ...tokenErrors('the proxy config'),
      '404': err('this process has no proxy settings'),
    },
  },
  adminOp('post', '/api/servers/{id}/drain', 'drainServer', 'Put a server on standby and keep it there until undrained'),
  adminOp('post', '/api/servers/{id}/undrain', 'undrainServer', 'Return a drained server to rotation'),
  adminOp('delete', '/api/servers/{id}', 'stopServer', 'Stop a server now'),
  {
    method: 'post',
    path: '/api/scaling/pause',
    operationId: 'pauseScaling',
    summary: 'Pause scaling (unhealthy servers are still replaced)',
    tag: 'admin',
    security: { scheme: 'admin' },
    responses: { '200': { description: 'paused', schema: pausedSchema }, ...tokenErrors('the admin API') },
  },
  {
    method: 'post',
    path: '/api/scaling/resume',
    operationId: 'resumeScaling',
    summary: 'Resume scaling',
    tag: 'admin',
    security: { scheme: 'admin' },
    responses: { '200': { description: 'resumed', schema: pausedSchema }, ...tokenErrors('the admin API') },
  },
  {
    method: 'post',
    path: '/api/heartbeat',
    operationId: 'postHeartbeat',
    summary: 'A gameserver pushes its health (the /health/ fields plus server_id)',
    tag: 'gameserver',
    security: { scheme: 'heartbeat' },
    body: heartbeatSchema,
    responses: {
      '200': { description: 'accepted', schema: acceptedSchema },
      '400': err('the body does not match the health contract'),
      ...tokenErrors('heartbeats'),
      '404': err('no server with that id'),
    },
  },
  {
    method: 'post',
    path: '/api/demand',
    operationId: 'postDemand',
    summary: 'Seats a source (an arena queue, a matchmaker) expects to be asked for within ttl seconds; seats 0 clears it. The admin token is accepted too',
    tag: 'allocation',
    security: { scheme: 'heartbeat' },
    body: demandRequestSchema,
    responses: {
      '200': { description: 'the signal is live until expiresAt', schema: demandResponseSchema },
      '400': err('the body is not {source, seats, ttl}'),
      ...tokenErrors('demand signals'),
      '429': err('too many live sources'),
    },
  },
  {
    method: 'get',
    path: '/api/demand',
    operationId: 'getDemand',
    summary: 'Live demand signals, waiting allocations and the headroom each demand term holds. The admin token is accepted too',
    tag: 'allocation',
    security: { scheme: 'heartbeat' },
    responses: { '200': { description: 'demand now', schema: demandListSchema }, ...tokenErrors('demand signals') },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getLiveness',
    summary: 'The process is alive and its loop is ticking',
    tag: 'operations',
    responses: { '200': { description: 'ticking', schema: livenessSchema }, '503': { description: 'the last good tick is too old', schema: livenessSchema } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'State rebuilt from the backend and first poll done',
    tag: 'operations',
    responses: { '200': { description: 'ready', schema: readinessSchema }, '503': { description: 'not yet', schema: readinessSchema } },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    responses: { '200': { description: 'Prometheus text exposition format', media: 'text/plain', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    tag: 'operations',
    responses: { '200': { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/',
    operationId: 'getDashboard',
    summary: 'The operator dashboard (HTML; its script is /dashboard.js)',
    tag: 'operations',
    responses: { '200': { description: 'HTML page', media: 'text/html', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/dashboard.js',
    operationId: 'getDashboardScript',
    summary: 'The dashboard script',
    tag: 'operations',
    responses: { '200': { description: 'JavaScript', media: 'text/javascript', schema: z.string() } },
  },
  {
    method: 'get',
    path: '/dashboard.css',
    operationId: 'getDashboardStyle',
    summary: 'The dashboard style sheet',
    tag: 'operations',
    responses: { '200': { description: 'CSS', media: 'text/css', schema: z.string() } },
  },
];
