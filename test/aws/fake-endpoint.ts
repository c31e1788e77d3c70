import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the socket stays open until the client gives up). */
  hang?: boolean;
}

/**
 * A local HTTP endpoint that answers from a script, for tests of what the SDK clients send on
 * the wire: retries, timeouts, endpoint selection. The last scripted answer repeats.
 */
export class FakeEndpoint {
  readonly requests: RecordedRequest[] = [];
  private script: ScriptedResponse[] = [{ status: 200, body: '{}' }];
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
        const answer = this.script.length > 1 ? this.script.shift() : this.script[0];
        if (!answer || answer.hang) {
          this.open.add(res);
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
  }

  static async start(): Promise<FakeEndpoint> {
    const endpoint = new FakeEndpoint();
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(...script: ScriptedResponse[]): void {
    this.script = script;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Runs a test with a process environment it may change freely; the original comes back after. */
export function isolatedEnv(): { set(vars: Record<string, string | undefined>): void; restore(): void } {
  const saved = { ...process.env };
  return {
    set(vars) {
      for (const [key, value] of Object.entries(vars)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
    restore() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}
