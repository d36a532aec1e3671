import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Logger } from '../config/logger.js';
import type { ServerConfig } from '../config/streams-config.js';
import { ApplicationActionError } from './application-actions.js';
import type { ApplicationActions } from './application-actions.js';
import { ObservabilityServerError } from './observability-error.js';

/** What the server serves; `StreamsObservability` provides it. */
export interface ServedInstance {
  readonly registry: Registry;
  readonly logger: Logger;
  /** Alive: the instance has not failed (ERROR) and is not shut down. */
  live(): boolean;
  ready(): boolean | Promise<boolean>;
  /** `/api/status`: with stream threads, gathered from their workers. */
  status(): unknown | Promise<unknown>;
  /** `/metrics`' body, when not just the registry's (stream threads: their registries aggregated). */
  scrape?(): Promise<string>;
  pause(): void;
  resume(): void;
  /** Pause, resume and rewind of every replica, through the application's control topic. */
  readonly application: ApplicationActions;
  /** Extra GET routes (the dashboard and its assets): path → handler, or undefined for 404. */
  page?(path: string, res: ServerResponse): Promise<boolean> | boolean;
}

const MAX_BODY = 64 * 1024;
/** How long the dashboard's aggregation waits for a peer. */
const PEER_TIMEOUT_MS = 2_000;

/**
 * The HTTP server of one instance (node:http, no framework): Prometheus' `/metrics`, Kubernetes-style
 * `/health/live` and `/health/ready`, `/api/status` (JSON) and `/api/control` (POST `{"action":"pause"|"resume"}`,
 * with `Authorization: Bearer <token>`; `"all": true` pauses or resumes every replica through the application's
 * control topic; `{"action":"rewind", ...}` rewinds the application as `kaskade rewind` does), `/api/application` (this instance's
 * status and its peers', for the dashboard) and the dashboard at `/`. Bound to loopback unless `host` says otherwise.
 */
export class ObservabilityServer {
  readonly #config: ServerConfig;
  readonly #instance: ServedInstance;
  #server: Server | undefined;

  constructor(config: ServerConfig, instance: ServedInstance) {
    this.#config = config;
    this.#instance = instance;
  }

  /** Starts listening; rejects with an {@link ObservabilityServerError} when the address cannot be bound. */
  async start(): Promise<void> {
    const host = this.#config.host ?? '127.0.0.1';
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => {
        this.#instance.logger.warn(`observability server: ${req.method} ${req.url} failed: ${(e as Error).message}`);
        if (!res.headersSent) send(res, 500, { error: (e as Error).message });
        else res.end();
      });
    });
    // Idle keep-alive sockets (a browser, Prometheus) must not hold close() up.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new ObservabilityServerError(
            `cannot start the observability server on ${host}:${this.#config.port}: ${e.message}`,
            { cause: e, context: { field: 'server', host, port: this.#config.port } },
          ),
        ),
      );
      server.listen(this.#config.port, host, () => resolve());
    });
    this.#server = server;
    this.#instance.logger.info(`observability server listening on ${this.url}`);
  }

  /** `http://host:port` once started. */
  get url(): string | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined;
    if (!a) return undefined;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const inst = this.#instance;
    if (path === '/api/control') {
      if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
      return this.#control(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'use GET' }, { allow: 'GET' });
    switch (path) {
      case '/metrics': {
        const body = inst.scrape ? await inst.scrape() : await inst.registry.metrics();
        res.writeHead(200, { 'content-type': inst.registry.contentType });
        res.end(body);
        return;
      }
      case '/health/live':
        return inst.live() ? send(res, 200, { status: 'UP' }) : send(res, 503, { status: 'DOWN' });
      case '/health/ready':
        return (await inst.ready()) ? send(res, 200, { status: 'READY' }) : send(res, 503, { status: 'NOT_READY' });
      case '/api/status':
        return send(res, 200, await inst.status());
      case '/api/application':
        return send(res, 200, { instances: await this.#application() });
      default:
        if (inst.page && (await inst.page(path, res))) return;
        return send(res, 404, { error: `no such resource: ${path}` });
    }
  }

  async #control(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = this.#config.token;
    if (token === undefined) {
      return send(res, 403, { error: 'control is disabled: configure server.token to enable /api/control' });
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      return send(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
    }
    let body: { [key: string]: unknown };
    try {
      const parsed = JSON.parse(await readBody(req)) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as { [key: string]: unknown };
    } catch (e) {
      return send(res, 400, { error: `the body must be JSON such as {"action":"pause"}: ${(e as Error).message}` });
    }
    const action = body['action'];
    // `all`: every replica of the application, through its control topic (also those that are not peers);
    // otherwise this instance only. A rewind is always application-wide.
    const all = body['all'] === true;
    const app = this.#instance.application;
    try {
      switch (action) {
        case 'pause':
        case 'resume': {
          if (all) {
            const desiredState = action === 'pause' ? await app.pause() : await app.resume();
            return send(res, 200, { action, scope: 'application', paused: desiredState.paused, desiredState });
          }
          if (action === 'pause') this.#instance.pause();
          else this.#instance.resume();
          return send(res, 200, { action, scope: 'instance', paused: action === 'pause' });
        }
        case 'rewind': {
          const command = await app.rewind(body);
          return send(res, 200, { action, scope: 'application', command });
        }
        default:
          return send(res, 400, {
            error: `unknown action ${JSON.stringify(action)}: expected "pause", "resume" or "rewind"`,
          });
      }
    } catch (e) {
      if (!(e instanceof ApplicationActionError)) throw e;
      return send(res, e.status, {
        error: e.message,
        code: e.code,
        ...(e.context.field ? { field: e.context.field } : {}),
      });
    }
  }

  /** This instance's status and each peer's, fetched in parallel; an unreachable peer is listed with its error. */
  async #application(): Promise<{ url: string; status?: unknown; error?: string }[]> {
    const peers = this.#config.peers ?? [];
    const self = { url: this.url ?? '', status: (await this.#instance.status()) as unknown };
    const others = await Promise.all(
      peers.map(async (url) => {
        try {
          const res = await fetch(new URL('/api/status', url), { signal: AbortSignal.timeout(PEER_TIMEOUT_MS) });
          if (!res.ok) return { url, error: `HTTP ${res.status}` };
          return { url, status: (await res.json()) as unknown };
        } catch (e) {
          return { url, error: (e as Error).message };
        }
      }),
    );
    return [self, ...others];
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: { [name: string]: string } = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
