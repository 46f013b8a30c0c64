/**
 * A TCP relay for outage tests: in front of a server, it passes connections through (`pass`), accepts and drops
 * them at once (`drop`: the client sees a reset), or stops listening so the port refuses them (`refuse`:
 * ECONNREFUSED), and back, on the same port. Counts the connections it accepted in each mode.
 */
import * as net from 'net';

export type RelayMode = 'pass' | 'drop' | 'refuse';

export class TcpRelay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  mode: RelayMode = 'pass';
  /** connections accepted, per mode */
  readonly accepted: Record<'pass' | 'drop', number> = { pass: 0, drop: 0 };

  constructor(private readonly target: { host: string; port: number }) {}

  /** The connections passing through now (each is two sockets: the client's and the one to the target). */
  get open(): number {
    return this.sockets.size / 2;
  }

  /** The relay's URL (with the target's scheme, e.g. http://127.0.0.1:PORT). */
  url(scheme = 'http'): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  /** Starts listening (on a new port the first time, on the same one after `refuse`). */
  async listen(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** Switches mode: `refuse` closes the listener and every connection; the others listen again if needed. */
  async set(mode: RelayMode): Promise<void> {
    this.mode = mode;
    if (mode === 'refuse') return this.stop();
    if (mode === 'drop') for (const s of this.sockets) s.destroy();
    await this.listen();
  }

  /** Stops listening and ends every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    if (this.mode === 'drop') {
      this.accepted.drop += 1;
      socket.resetAndDestroy();
      return;
    }
    this.accepted.pass += 1;
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(socket);
    this.sockets.add(upstream);
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
      this.sockets.delete(socket);
      this.sockets.delete(upstream);
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    socket.pipe(upstream).pipe(socket);
  }
}
