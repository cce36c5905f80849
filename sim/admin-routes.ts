// HTTP routing of the /_sim/ admin API (JSON in, JSON out).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimNotFoundError, type SimAdmin } from './admin.js';
import { SimApiError } from './errors.js';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export function handleAdmin(admin: SimAdmin, req: IncomingMessage, res: ServerResponse, bodyText: string): void {
  const path = (req.url ?? '').split('?')[0]?.replace(/\/+$/, '') ?? '';
  const method = req.method ?? 'GET';
  try {
    const body = parseBody(bodyText);
    const taskRoute = /^\/_sim\/tasks\/([^/]+)\/(gameserver|kill)$/.exec(path);
    if (taskRoute) {
      const ref = decodeURIComponent(taskRoute[1] ?? '');
      if (method !== 'POST') return send(res, 405, { error: 'method not allowed' });
      if (taskRoute[2] === 'kill') {
        const reason = typeof body['reason'] === 'string' ? body['reason'] : undefined;
        return send(res, 200, admin.kill(ref, reason));
      }
      return send(res, 200, admin.setGameserver(ref, body));
    }
    const singleTask = /^\/_sim\/tasks\/([^/]+)$/.exec(path);
    if (singleTask && method === 'GET') return send(res, 200, admin.task(decodeURIComponent(singleTask[1] ?? '')));
    switch (`${method} ${path}`) {
      case 'GET /_sim/tasks':
        return send(res, 200, { tasks: admin.tasks() });
      case 'POST /_sim/tasks':
        return send(res, 200, { tasks: admin.createTasks(body) });
      case 'GET /_sim/instances':
        return send(res, 200, { instances: admin.instances() });
      case 'GET /_sim/faults':
        return send(res, 200, admin.faults());
      case 'POST /_sim/faults':
        return send(res, 200, admin.setFaults(body));
      case 'GET /_sim/calls':
        return send(res, 200, admin.calls());
      case 'POST /_sim/reset-counters':
        admin.resetCounters();
        return send(res, 200, admin.calls());
      default:
        return send(res, 404, { error: `no admin route ${method} ${path}` });
    }
  } catch (err) {
    if (err instanceof SimNotFoundError) return send(res, 404, { error: err.message });
    if (err instanceof SimApiError || err instanceof SyntaxError) return send(res, 400, { error: err.message });
    return send(res, 500, { error: (err as Error).message });
  }
}
