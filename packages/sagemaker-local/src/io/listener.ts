/**
 * The listening part the package's loopback servers share (the SageMaker server, its HTTP/2 bidi server, and the
 * tests' STS server and CONNECT proxy): a server on a port, its base URL once listening, and a close that destroys
 * every open socket, hanging requests and HTTP/2 sessions included, so that a test or Ctrl-C never waits for a client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'https';
import type { AddressInfo, Server as NetServer, Socket } from 'net';

/** Any server that listens on a TCP port: HTTP/1.1, HTTPS or HTTP/2, whose sockets it tracks. */
export abstract class NetListener {
  private server?: NetServer;
  private readonly sockets = new Set<Socket>();
  private baseUrl?: string;

  /** @param serverName the server's name, for errors */
  constructor(private readonly serverName: string) {}

  /** Makes the server, its handlers attached; called once per listen(). */
  protected abstract createServer(): NetServer;

  /** Whether the server speaks TLS (the base URL's scheme); asked when it starts listening. */
  protected abstract isSecure(): boolean;

  /** Starts listening; resolves the base URL, e.g. 'http://127.0.0.1:41234'. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) return Promise.reject(new Error(`${this.serverName} is already listening`));
    const server = this.createServer();
    this.server = server;
    // A TLS server's 'connection' is the TCP socket under the TLS one: destroying it ends both.
    server.on('connection', (socket: Socket) => this.track(socket));
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
        this.baseUrl = `${this.isSecure() ? 'https' : 'http'}://${hostPart}:${address.port}`;
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
    if (this.baseUrl === undefined) throw new Error(`${this.serverName}.url is only known after listen() resolves`);
    return this.baseUrl;
  }

  /** Destroys this socket too on close (a subclass's own connections, e.g. a proxy's upstream ones). */
  protected track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}

/** An HTTP/1.1 or, with TLS options, HTTPS server that answers each request with `handle`. */
export abstract class Listener extends NetListener {
  /** @param serverName the server's name, for errors */
  constructor(
    serverName: string,
    private readonly tls?: HttpsServerOptions,
  ) {
    super(serverName);
  }

  protected isSecure(): boolean {
    return this.tls !== undefined;
  }

  /** Answers one request. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;

  /** For servers that listen to more than requests (e.g. CONNECT), before the server starts listening. */
  protected attach(_server: Server): void {}

  protected createServer(): Server {
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const server: Server = this.tls ? createHttpsServer(this.tls, onRequest) : createServer(onRequest);
    this.attach(server);
    return server;
  }
}
