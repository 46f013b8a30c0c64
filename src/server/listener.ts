/**
 * The listening part the package's loopback servers share (the SageMaker server, and the tests' STS server): an
 * HTTP or, with TLS options, HTTPS server on a port, its base URL once listening, and a close that destroys every
 * open socket, hanging requests included, so that a test or Ctrl-C never waits for a client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'https';
import type { AddressInfo, Socket } from 'net';

export class Listener {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private baseUrl?: string;

  /** @param name the server's name, for errors */
  constructor(
    private readonly name: string,
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly tls?: HttpsServerOptions,
  ) {}

  /** Starts listening; resolves the base URL, e.g. 'http://127.0.0.1:41234'. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) return Promise.reject(new Error(`${this.name} is already listening`));
    const server: Server = this.tls ? createHttpsServer(this.tls, this.handler) : createServer(this.handler);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise<string>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        reject(err);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const address = server.address() as AddressInfo;
        const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
        this.baseUrl = `${this.tls ? 'https' : 'http'}://${hostPart}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  /** Stops listening and destroys every open socket, hanging requests included. */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  /** The base URL; available once `listen()` has resolved. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error(`${this.name}.url is only known after listen() resolves`);
    return this.baseUrl;
  }
}
