/**
 * A forward proxy for tests: HTTP CONNECT tunnels only (TLS stays end to end), Basic authentication required when
 * a user is set, and a record of every tunnel asked for, so tests can count them per target.
 */
import type { IncomingMessage, Server, ServerResponse } from 'http';
import { connect, type Socket } from 'net';
import type { Duplex } from 'stream';
import { Listener } from '../io/listener';

/** One CONNECT asked for: its target `host:port` and the status answered (0 while unanswered). */
export interface TunnelRequest {
  target: string;
  status: number;
}

export class ConnectProxy extends Listener {
  private readonly auth?: string;
  /** every CONNECT asked for, in order of arrival */
  readonly connects: TunnelRequest[] = [];

  constructor(auth: { username?: string; password?: string } = {}) {
    super('ConnectProxy');
    if (auth.username !== undefined) this.auth = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  }

  /** Tunnels opened (answered 200) to a target 'host:port', or to any target. */
  tunnels(target?: string): number {
    return this.connects.filter((c) => c.status === 200 && (target === undefined || c.target === target)).length;
  }

  /** CONNECTs refused for their credentials (407). */
  refused(): number {
    return this.connects.filter((c) => c.status === 407).length;
  }

  protected handle(_req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(405, { 'Content-Type': 'text/plain' });
    res.end('only CONNECT tunnels here');
  }

  protected attach(server: Server): void {
    server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => this.tunnel(req, client as Socket, head));
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const entry: TunnelRequest = { target: req.url ?? '', status: 0 };
    this.connects.push(entry);
    client.on('error', () => undefined);
    if (this.auth !== undefined && req.headers['proxy-authorization'] !== this.auth) {
      entry.status = 407;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const m = /^(.+):(\d+)$/.exec(req.url ?? '');
    if (!m) {
      entry.status = 400;
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(m[2]), m[1].replace(/^\[|\]$/g, ''), () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.track(upstream);
    upstream.on('error', () => {
      if (!entry.status) {
        entry.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      } else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }
}
