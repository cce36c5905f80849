// The manager's API described for clients and tools (GET /openapi.json).
const error = { $ref: '#/components/schemas/Error' };
const adminCall = (summary: string) => ({
  summary,
  security: [{ bearer: [] }],
  parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
  responses: {
    '200': { description: 'the server after the change', content: { 'application/json': { schema: { $ref: '#/components/schemas/Server' } } } },
    '401': { description: 'no token', content: { 'application/json': { schema: error } } },
    '403': { description: 'wrong token, or admin API disabled', content: { 'application/json': { schema: error } } },
    '404': { description: 'no such server', content: { 'application/json': { schema: error } } },
    '409': { description: 'server busy or stopping', content: { 'application/json': { schema: error } } },
  },
});
const allocation = {
  summary: 'A gameserver with room (the seed route; both spellings, with or without the trailing slash)',
  parameters: [
    {
      name: 'session',
      in: 'query',
      required: false,
      description: 'Idempotency key: the same id gets the same server while its reservation lives',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,128}$' },
    },
  ],
  responses: {
    '200': { description: 'a server, or the backup with backup=true', content: { 'application/json': { schema: { $ref: '#/components/schemas/Allocation' } } } },
    '400': { description: 'bad query', content: { 'application/json': { schema: error } } },
    '429': { description: 'rate limited', content: { 'application/json': { schema: error } } },
    '503': { description: 'no room and no backup configured', content: { 'application/json': { schema: error } } },
  },
};

const serverList = {
  summary: 'Addresses of servers in rotation',
  responses: { '200': { description: 'list', content: { 'application/json': { schema: { type: 'object', properties: { server_list: { type: 'array', items: { type: 'string' } } } } } } } },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Arbiter', version: '0.1.0', description: 'Autoscaling gameserver manager' },
  paths: {
    '/available-server/': { get: allocation },
    '/available-gameserver/': { get: allocation },
    '/available-server-list/': { get: serverList },
    '/available-gameserver-list/': { get: serverList },
    '/api/servers': {
      get: {
        summary: 'Every server with state, capacity, sessions, age, last poll and failures',
        responses: { '200': { description: 'servers', content: { 'application/json': { schema: { type: 'object', properties: { servers: { type: 'array', items: { $ref: '#/components/schemas/Server' } } } } } } } },
      },
    },
    '/api/servers/{id}/drain': { post: adminCall('Put a server on standby and keep it there until undrained') },
    '/api/servers/{id}/undrain': { post: adminCall('Return a server to rotation') },
    '/api/servers/{id}': { delete: adminCall('Stop a server now') },
    '/api/scaling/pause': { post: { summary: 'Pause scaling (unhealthy servers are still replaced)', security: [{ bearer: [] }], responses: { '200': { description: 'paused' } } } },
    '/api/scaling/resume': { post: { summary: 'Resume scaling', security: [{ bearer: [] }], responses: { '200': { description: 'resumed' } } } },
    '/api/heartbeat': {
      post: {
        summary: 'A gameserver pushes its health (same fields as /health/ plus server_id)',
        security: [{ bearer: [] }],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Heartbeat' } } } },
        responses: { '200': { description: 'accepted' }, '400': { description: 'invalid body' }, '404': { description: 'unknown server' } },
      },
    },
    '/healthz': { get: { summary: 'The process is alive and its loop is ticking', responses: { '200': { description: 'ok' }, '503': { description: 'stale' } } } },
    '/readyz': { get: { summary: 'State rebuilt and first poll done', responses: { '200': { description: 'ready' }, '503': { description: 'not yet' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: { type: 'object', required: ['error', 'code'], properties: { error: { type: 'string' }, code: { type: 'string' } } },
      Allocation: {
        type: 'object',
        required: ['available', 'backup'],
        properties: {
          available: { type: 'string', description: 'host:gamePort' },
          server_id: { type: ['string', 'null'] },
          name: { type: 'string' },
          host: { type: 'string' },
          ports: { type: 'object', properties: { game: { type: 'integer' }, web: { type: 'integer' } } },
          backup: { type: 'boolean' },
        },
      },
      Heartbeat: {
        type: 'object',
        required: ['server_id', 'available_capacity', 'ready_to_close'],
        properties: {
          server_id: { type: 'string' },
          available_capacity: { type: 'integer', minimum: 0 },
          ready_to_close: { type: 'boolean' },
          max_capacity: { type: 'integer', minimum: 0 },
          active_sessions: { type: 'integer', minimum: 0 },
          draining: { type: 'boolean' },
        },
      },
      Server: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          state: { enum: ['pending', 'active', 'standby', 'stopping', 'unhealthy'] },
          address: { type: ['string', 'null'] },
          inRotation: { type: 'boolean' },
          capacity: { type: 'object' },
          activeSessions: { type: 'integer' },
          reservations: { type: 'integer' },
          ageSeconds: { type: 'integer' },
          lastPollAt: { type: ['string', 'null'] },
          failures: { type: 'integer' },
          lastError: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
