// res.status(status).json(body), written directly for the allocation route's answers. express's res.json sets
// the content type through two lookups and a parse-and-format of the header per answer; the status, headers and
// bytes here are the same (test/unit/json-answer.test.ts compares). A conditional request keeps express's own path,
// so its freshness rules answer it as before.
import type { Request, Response } from 'express';

export function sendJson(req: Request, res: Response, status: number, body: unknown): void {
  if (req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined) {
    res.status(status).json(body);
    return;
  }
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(json, 'utf8')));
  if (req.method === 'HEAD') res.end();
  else res.end(json, 'utf8');
}
