// Requests and responses born with an Express app's prototypes. Express's app.handle gives every request and
// response the app's prototypes with Object.setPrototypeOf; on an object node:http has just made, that costs more
// than the rest of the route together: the objects reached from them then outlive two scavenges and are copied to
// the old generation, where they die. Measured with a bare express 5 route at c=4 (--trace-gc-nvp, 5 s): 7.6 KB
// promoted per request, 6.3 ms per scavenge and 3,529 requests/s; with the objects born with those prototypes
// (node:http's IncomingMessage / ServerResponse options) nothing promoted, 0.5 ms per scavenge and 8,127/s. Express
// then finds the prototype already set and changes nothing.
import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

export interface BornPrototypes {
  /** node:http's createServer options that make the server build its requests and responses so. */
  serverOptions: Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>;
  /** From now on, requests and responses are born with `app`'s prototypes (before it, node:http's own). */
  adopt(app: Express): void;
}

/** node:http's constructors are plain functions today (callable with `.call`); a class could not be subclassed so. */
const callable = (fn: Function): boolean => !/^class\b/.test(Function.prototype.toString.call(fn));

export function bornPrototypes(): BornPrototypes {
  // If node:http ever makes them classes, its own objects are served and Express sets the prototypes as before.
  if (!callable(IncomingMessage) || !callable(ServerResponse)) return { serverOptions: {}, adopt: () => {} };
  // Called with `new` by node:http: the object is made with this function's prototype, then node's constructor
  // fills it in. (Reflect.construct with another new.target measured slower than Express's own setPrototypeOf:
  // 2,540 against 3,480 requests/s, 8,280 with this.)
  function Request(this: IncomingMessage, socket: Socket): void {
    (IncomingMessage as unknown as (this: IncomingMessage, socket: Socket) => void).call(this, socket);
  }
  function Response(this: ServerResponse, req: IncomingMessage, options?: unknown): void {
    (ServerResponse as unknown as (this: ServerResponse, req: IncomingMessage, options?: unknown) => void).call(this, req, options);
  }
  Request.prototype = IncomingMessage.prototype;
  Response.prototype = ServerResponse.prototype;
  return {
    serverOptions: { IncomingMessage: Request as unknown as typeof IncomingMessage, ServerResponse: Response as unknown as typeof ServerResponse },
    adopt(app) {
      Request.prototype = app.request;
      Response.prototype = app.response;
    },
  };
}
