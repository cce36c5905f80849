// Requests and responses born with an Express app's prototypes. Express's app.handle gives every request and
// response the app's prototypes with Object.setPrototypeOf; on an object node:http has just made, that costs more
// than the rest of the route together: the objects reached from them then outlive two scavenges and are copied to
// the old generation, where they die. Measured with a bare express 5 route at c=4 (--trace-gc-nvp, 5 s): 7.6 KB
// promoted per request, 6.3 ms per scavenge and 3,529 requests/s; with the objects born with those prototypes
// (node:http's IncomingMessage / ServerResponse options) nothing promoted, 0.5 ms per scavenge and 8,127/s. Express
// then finds the prototype already set and changes nothing.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

export interface BornPrototypes {
  /** For node:http's createServer options. */
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
  /** From now on, requests and responses are born with `app`'s prototypes (before it, node:http's own). */
  adopt(app: Express): void;
}

export function bornPrototypes(): BornPrototypes {
  // Reflect.construct builds node:http's object with the prototype of the function given as new.target, and works
  // whether node:http's constructors are functions or classes.
  function Request(this: unknown, socket: Socket): IncomingMessage {
    return Reflect.construct(IncomingMessage, [socket], Request) as IncomingMessage;
  }
  function Response(this: unknown, req: IncomingMessage, options?: unknown): ServerResponse {
    return Reflect.construct(ServerResponse, [req, options], Response) as ServerResponse;
  }
  Request.prototype = IncomingMessage.prototype;
  Response.prototype = ServerResponse.prototype;
  return {
    IncomingMessage: Request as unknown as typeof IncomingMessage,
    ServerResponse: Response as unknown as typeof ServerResponse,
    adopt(app) {
      Request.prototype = app.request;
      Response.prototype = app.response;
    },
  };
}
