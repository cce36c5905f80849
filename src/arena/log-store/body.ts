// Reads a log body into memory with a size cap, so that a runaway client output cannot exhaust the worker.
export class LogTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`log body exceeds ${maxBytes} bytes`);
    this.name = 'LogTooLargeError';
  }
}

export async function readCapped(body: Buffer | NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length > maxBytes) throw new LogTooLargeError(maxBytes);
    return body;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) {
      const destroy = (body as { destroy?: () => void }).destroy;
      if (typeof destroy === 'function') destroy.call(body);
      throw new LogTooLargeError(maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}
