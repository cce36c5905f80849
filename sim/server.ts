// One HTTP endpoint for ECS (JSON 1.1, X-Amz-Target), EC2 (Query, form `Action=`), S3 (path-style) and the /_sim/ admin API.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SimAdmin } from './admin.js';
import { handleAdmin } from './admin-routes.js';
import type { SimContext } from './context.js';
import * as ec2 from './ec2-actions.js';
import { errorXml, responseXml, type XmlNode } from './ec2-xml.js';
import * as resources from './ecs-resources.js';
import * as tasks from './ecs-tasks.js';
import { SimApiError } from './errors.js';
import { handleS3, isS3Request, S3Store } from './s3.js';
import { ecsCategory } from './throttle.js';

const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const MAX_BODY_BYTES = 1_000_000;

type EcsHandler = (ctx: SimContext, input: Record<string, unknown>) => Record<string, unknown>;
type Ec2Handler = (ctx: SimContext, params: URLSearchParams) => XmlNode;

const ECS_ACTIONS: Record<string, EcsHandler> = {
  RunTask: tasks.runTask,
  StopTask: tasks.stopTask,
  ListTasks: tasks.listTasks,
  DescribeTasks: tasks.describeTasks,
  TagResource: resources.tagResource,
  UntagResource: resources.untagResource,
  ListTagsForResource: resources.listTagsForResource,
  DescribeClusters: resources.describeClusters,
  CreateCluster: resources.createCluster,
  ListClusters: resources.listClusters,
  DescribeContainerInstances: resources.describeContainerInstances,
  ListContainerInstances: resources.listContainerInstances,
  RegisterTaskDefinition: resources.registerTaskDefinitionAction,
  DescribeTaskDefinition: resources.describeTaskDefinition,
};

const EC2_ACTIONS: Record<string, Ec2Handler> = {
  RunInstances: ec2.runInstances,
  DescribeInstances: ec2.describeInstances,
  TerminateInstances: ec2.terminateInstances,
  DescribeNetworkInterfaces: ec2.describeNetworkInterfaces,
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimApiError('RequestEntityTooLarge', 'request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sendEcs(res: ServerResponse, requestId: string, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

function sendXml(res: ServerResponse, requestId: string, status: number, xml: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml;charset=UTF-8',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
  });
  res.end(xml);
}

export function createSimServer(ctx: SimContext, admin: SimAdmin, s3: S3Store = new S3Store()): Server {
  const log = ctx.log;

  /** Counts, throttles and injects faults the same way for both protocols; returns the error to send, if any. */
  function gate(action: string, category: Parameters<SimContext['throttler']['allow']>[0]): SimApiError | undefined {
    ctx.faults.count('calls', action);
    if (!ctx.throttler.allow(category)) return new SimApiError('ThrottlingException', 'Rate exceeded');
    if (ctx.faults.injectServerError()) return new SimApiError('ServerException', 'Service unavailable.', 500);
    return undefined;
  }

  function record(action: string, err: SimApiError): void {
    ctx.faults.count(err.code === 'ThrottlingException' ? 'throttled' : 'errors', action);
    if (ctx.state.options.verbose) log.info('api call failed', { action, code: err.code });
  }

  function handleEcs(req: IncomingMessage, res: ServerResponse, body: string, target: string): void {
    const requestId = randomUUID();
    const action = target.startsWith(ECS_TARGET_PREFIX) ? target.slice(ECS_TARGET_PREFIX.length) : '';
    const fail = (err: SimApiError): void => {
      record(action || target, err);
      sendEcs(res, requestId, err.status, { __type: err.code, message: err.message });
    };
    const handler = ECS_ACTIONS[action];
    if (!handler) return fail(new SimApiError('UnknownOperationException', `Unknown operation ${target}`));
    if (!req.headers.authorization) {
      return fail(new SimApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403));
    }
    const gated = gate(action, ecsCategory(action));
    if (gated) return fail(gated);
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return fail(new SimApiError('SerializationException', 'Request body is not a JSON object'));
    }
    try {
      sendEcs(res, requestId, 200, handler(ctx, input));
      if (ctx.state.options.verbose) log.info('api call', { action });
    } catch (err) {
      if (err instanceof SimApiError) return fail(err);
      log.warn('api call crashed', { action, error: (err as Error).stack });
      fail(new SimApiError('ServerException', 'Internal simulator error.', 500));
    }
  }

  function handleEc2(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    const requestId = randomUUID();
    const action = params.get('Action') ?? '';
    const fail = (err: SimApiError): void => {
      record(action, err);
      const code = err.code === 'ThrottlingException' ? 'RequestLimitExceeded' : err.code === 'ServerException' ? 'InternalError' : err.code;
      const status = err.code === 'ThrottlingException' ? 503 : err.status;
      const message = code === 'RequestLimitExceeded' ? 'Request limit exceeded.' : code === 'InternalError' ? 'An internal error has occurred' : err.message;
      sendXml(res, requestId, status, errorXml(code, message, requestId));
    };
    const handler = EC2_ACTIONS[action];
    if (!handler) return fail(new SimApiError('InvalidAction', `The action ${action} is not valid for this web service.`));
    if (!req.headers.authorization) {
      return fail(new SimApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 401));
    }
    const gated = gate(action, 'ec2');
    if (gated) return fail(gated);
    try {
      sendXml(res, requestId, 200, responseXml(action, requestId, handler(ctx, params)));
      if (ctx.state.options.verbose) log.info('api call', { action });
    } catch (err) {
      if (err instanceof SimApiError) return fail(err);
      log.warn('api call crashed', { action, error: (err as Error).stack });
      fail(new SimApiError('ServerException', 'Internal simulator error.', 500));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // S3 bodies are binary and may be large: it reads its own (sim/s3.ts)
    if (!(req.url ?? '').startsWith('/_sim/') && isS3Request(req)) return handleS3(s3, req, res);
    const body = await readBody(req);
    if ((req.url ?? '').startsWith('/_sim/')) return handleAdmin(admin, req, res, body);
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && typeof target === 'string') return handleEcs(req, res, body, target);
    const params = new URLSearchParams(body);
    if (req.method === 'POST' && params.has('Action')) return handleEc2(req, res, params);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'expected an ECS (X-Amz-Target) or EC2 (Action=) request, or /_sim/' }));
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof SimApiError ? err.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: (err as Error).message }));
    });
  });
}
