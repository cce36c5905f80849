// The manager's API described for clients and tools (GET /openapi.json), generated from the zod
// schemas the routes validate with and answer with, so a changed route changes its description.
import { z } from 'zod';
import { operations, type Operation, type Schema } from './openapi-operations.js';
import { allocationSchema, errorSchema, serverListSchema, serverSchema, serverStateSchema } from './schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const NAMED = { Error: errorSchema, Server: serverSchema, ServerState: serverStateSchema, ServerList: serverListSchema, Allocation: allocationSchema };

/** A zod schema as JSON Schema; schemas with an id become references to components. */
function jsonSchema(schema: Schema, io: 'input' | 'output'): Record<string, unknown> {
  const id = z.globalRegistry.get(schema)?.id;
  if (id !== undefined) return ref(id);
  return strip(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));
}

function strip(s: Record<string, unknown>): Record<string, unknown> {
  // JSON Schema's own keywords for a standalone file; inside an OpenAPI document they only mislead tools.
  const { $schema: _schema, $id: _id, ...rest } = s;
  void _schema;
  void _id;
  return rest;
}

function components(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  const all = new Set<Schema>(Object.values(NAMED));
  for (const op of operations) for (const a of Object.values(op.responses)) if (a.schema) all.add(a.schema);
  for (const schema of all) {
    const id = z.globalRegistry.get(schema)?.id;
    if (id !== undefined) registry.add(schema, { id });
  }
  const out = z.toJSONSchema(registry, { io: 'output', uri: (name) => `#/components/schemas/${name}` });
  const schemas: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(out.schemas)) schemas[name] = strip(s as Record<string, unknown>);
  return schemas;
}

function parameters(op: Operation): unknown[] {
  const list: unknown[] = [];
  if (op.pathId) list.push({ name: 'id', in: 'path', required: true, description: 'server id (URL-encoded task ARN, or local-N)', schema: { type: 'string' } });
  if (op.query) {
    const schema = z.toJSONSchema(op.query, { io: 'input' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      const { description, ...rest } = s;
      list.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest });
    }
  }
  return list;
}

function operationObject(op: Operation): Record<string, unknown> {
  const o: Record<string, unknown> = { operationId: op.operationId, summary: op.summary, tags: [op.tag] };
  const params = parameters(op);
  if (params.length > 0) o.parameters = params;
  o.security = op.security ? [{ [op.security.scheme]: [] }, ...(op.security.optional ? [{}] : [])] : [];
  if (op.body) o.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } };
  const responses: Record<string, unknown> = {};
  for (const [status, a] of Object.entries(op.responses)) {
    responses[status] = {
      description: a.description,
      ...(a.schema ? { content: { [a.media ?? 'application/json']: { schema: jsonSchema(a.schema, 'output') } } } : {}),
    };
  }
  o.responses = responses;
  return o;
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationObject(op);
  const bearer = (description: string) => ({ type: 'http', scheme: 'bearer', description });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Arbiter',
      version: '0.1.0',
      description: 'Autoscaling gameserver manager: allocation, fleet views and admin calls',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [{ url: '/', description: 'the manager that serves this document' }],
    tags: [
      { name: 'allocation', description: 'Where players and bots get a server' },
      { name: 'fleet', description: 'What the fleet looks like' },
      { name: 'admin', description: 'Operator actions (ARBITER_ADMIN_TOKEN)' },
      { name: 'gameserver', description: 'Calls gameservers make' },
      { name: 'operations', description: 'Probes, metrics and the dashboard' },
    ],
    paths,
    components: {
      securitySchemes: {
        admin: bearer('ARBITER_ADMIN_TOKEN; admin calls are refused while it is unset'),
        allocate: bearer('ARBITER_ALLOCATE_TOKEN; allocation is open while it is unset'),
        heartbeat: bearer('ARBITER_HEARTBEAT_TOKEN; heartbeats are refused while it is unset'),
      },
      schemas: components(),
    },
  };
}

export const openApiDocument = buildOpenApiDocument();
