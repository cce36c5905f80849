// Streams a request to Cerveau's web port and its answer back; an upstream that fails becomes a 502 JSON answer.
import { request as httpRequest, type IncomingMessage, type ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../shared/log.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders, upstreamHost: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(key) && value !== undefined) out[key] = value;
  }
  out.host = upstreamHost;
  return out;
}

export interface ProxyOptions {
  upstream: URL;
  /** No byte from Cerveau for this long → the exchange is abandoned. */
  idleTimeoutMs: number;
  logger: Logger;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Forwards `req` (whose body is still unread, or `body` when the caller already read it). Resolves with the upstream
 * status once the answer has been handed to the client, or 502 when Cerveau could not be reached.
 */
export function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: ProxyOptions,
  body?: Buffer,
  /** Replaces the client's path and headers (the canonical setup): nothing of the client's request goes through. */
  replace?: { path: string; headers: IncomingHttpHeaders },
): Promise<number> {
  return new Promise((resolve) => {
    const { upstream } = options;
    const headers = replace ? { ...replace.headers, host: upstream.host } : forwardable(req.headers, upstream.host);
    if (body) headers['content-length'] = String(body.length);
    const upstreamReq = httpRequest({
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: replace?.path ?? req.url,
      headers,
      timeout: options.idleTimeoutMs,
    });
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      options.logger.warn('upstream request failed', { method: req.method, path: req.url?.split('?')[0], error: err.message });
      if (!res.headersSent) sendJson(res, 502, { error: `Cerveau is unreachable: ${err.message}` });
      else res.destroy(err);
      resolve(502);
    };
    upstreamReq.on('timeout', () => upstreamReq.destroy(new Error('upstream timed out')));
    upstreamReq.on('error', fail);
    upstreamReq.on('response', (upstreamRes) => {
      const status = upstreamRes.statusCode ?? 502;
      const responseHeaders: IncomingHttpHeaders = {};
      for (const [key, value] of Object.entries(upstreamRes.headers)) {
        if (!HOP_BY_HOP.has(key) && value !== undefined) responseHeaders[key] = value;
      }
      res.writeHead(status, responseHeaders);
      upstreamRes.pipe(res);
      upstreamRes.on('error', fail);
      res.on('close', () => {
        if (!upstreamRes.complete) upstreamRes.destroy();
        if (!settled) {
          settled = true;
          resolve(status);
        }
      });
    });
    req.on('aborted', () => upstreamReq.destroy(new Error('client went away')));
    if (body) upstreamReq.end(body);
    else req.pipe(upstreamReq);
  });
}

/** Reads a request body up to `limit` bytes; rejects beyond it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new Error(`request body larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
