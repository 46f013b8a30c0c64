/**
 * A minimal WebSocket client (RFC 6455) for the container route of bidirectional streams: SageMaker's sidecar
 * talks to a model container over `ws://…/invocations-bidirectional-stream`, and the local server plays that
 * sidecar. Written here because the server depends on nothing outside Node (Node 20 has no WebSocket client
 * without a flag): the opening handshake with its Sec-WebSocket-Accept check, masked client frames, text, binary
 * and continuation frames (a PARTIAL part is a frame without FIN), ping/pong, and the closing handshake. No
 * extensions (no compression), no TLS (a container on this machine).
 */

import { createHash, randomBytes } from 'crypto';
import { request, type IncomingMessage } from 'http';
import type { Socket } from 'net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
/** The largest message taken from a container (the event-stream message limit is 16 MB). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The container refused the upgrade with an HTTP answer, or could not be reached. */
export class WebSocketOpenError extends Error {
  constructor(
    message: string,
    /** the container's HTTP status; 0 when it did not answer */
    readonly status: number,
    readonly body = '',
  ) {
    super(message);
    this.name = 'WebSocketOpenError';
  }
}

export interface WebSocketEvents {
  message(data: Buffer, text: boolean): void;
  /** once: the closing code (1005 when none was given, 1006 when the connection dropped) and reason */
  close(code: number, reason: string): void;
  /** an answer to a ping */
  pong?(): void;
}

/** Encodes one client frame: masked, as RFC 6455 requires of every frame a client sends. */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + 4);
  head[0] = (fin ? 0x80 : 0) | opcode;
  head[1] = 0x80 | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(length, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(length), 2);
  const mask = randomBytes(4);
  mask.copy(head, 2 + lengthBytes);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, masked]);
}

export class WebSocketConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentsText = false;
  private fragmentBytes = 0;
  private closeSent = false;
  private closed = false;
  /** a PARTIAL run of frames in progress: its first frame carried the opcode, the rest are continuations */
  private sendingFragmented = false;

  constructor(
    private readonly socket: Socket,
    private readonly events: WebSocketEvents,
    head: Buffer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.finish(1006, 'the connection dropped'));
    socket.on('error', () => undefined);
    if (head.length > 0) this.onData(head);
  }

  /**
   * Sends a text or binary message, or one piece of it: `fin` false leaves the message open for more pieces.
   * Resolves when the socket can take more (backpressure reaches the container's TCP window).
   */
  send(data: Buffer, text: boolean, fin = true): Promise<void> {
    if (this.closeSent || this.closed) return Promise.resolve();
    const opcode = this.sendingFragmented ? OP.continuation : text ? OP.text : OP.binary;
    this.sendingFragmented = !fin;
    if (this.socket.write(encodeFrame(opcode, data, fin))) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Stops reading the container's frames (its TCP window then fills), until `resume()`. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  ping(data = Buffer.alloc(0)): void {
    if (!this.closeSent && !this.closed) this.socket.write(encodeFrame(OP.ping, data));
  }

  /** Starts the closing handshake; the connection ends when the container answers it (or after `timeoutMs`). */
  close(code = 1000, reason = '', timeoutMs = 5000): void {
    if (this.closed) return;
    if (!this.closeSent) {
      this.closeSent = true;
      const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.write(reason, 2);
      this.socket.write(encodeFrame(OP.close, payload));
    }
    setTimeout(() => this.socket.destroy(), timeoutMs).unref();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.events.close(code, reason);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const frame = this.nextFrame();
      if (!frame) return;
      this.onFrame(frame.fin, frame.opcode, frame.payload);
      if (this.closed) return;
    }
  }

  /** The next whole frame in the buffer, if it has arrived. Server frames are unmasked; a masked one is an error. */
  private nextFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    const masked = (b[1] & 0x80) !== 0;
    let length = b[1] & 0x7f;
    let at = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      length = big > BigInt(MAX_MESSAGE_BYTES) ? MAX_MESSAGE_BYTES + 1 : Number(big);
      at = 10;
    }
    if (masked || length > MAX_MESSAGE_BYTES) {
      this.protocolError(masked ? 'the container sent a masked frame' : 'the container sent a frame over 16 MB');
      return undefined;
    }
    if (b.length < at + length) return undefined;
    this.buffer = b.subarray(at + length);
    return { fin: (b[0] & 0x80) !== 0, opcode: b[0] & 0x0f, payload: Buffer.from(b.subarray(at, at + length)) };
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP.ping:
        if (!this.closeSent) this.socket.write(encodeFrame(OP.pong, payload));
        return;
      case OP.pong:
        this.events.pong?.();
        return;
      case OP.close: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
        if (!this.closeSent) {
          this.closeSent = true;
          this.socket.write(encodeFrame(OP.close, payload.subarray(0, 2)));
        }
        this.socket.end();
        this.finish(code, reason);
        return;
      }
      case OP.text:
      case OP.binary:
      case OP.continuation:
        this.onDataFrame(fin, opcode, payload);
        return;
      default:
        this.protocolError(`the container sent an unknown frame type ${opcode}`);
    }
  }

  private onDataFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode !== OP.continuation) this.fragmentsText = opcode === OP.text;
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > MAX_MESSAGE_BYTES) {
      this.protocolError('the container sent a message over 16 MB');
      return;
    }
    if (!fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    this.fragments = [];
    this.fragmentBytes = 0;
    this.events.message(data, this.fragmentsText);
  }

  private protocolError(reason: string): void {
    this.close(1002, reason.slice(0, 100), 1000);
    this.finish(1002, reason);
  }
}

/**
 * Opens a WebSocket to `url` (ws://host:port/path?query). Resolves once the container accepted the upgrade with
 * the right Sec-WebSocket-Accept; rejects with WebSocketOpenError otherwise.
 */
export function openWebSocket(url: string, events: WebSocketEvents, options: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<WebSocketConnection> {
  const target = new URL(url);
  const key = randomBytes(16).toString('base64');
  const expected = createHash('sha1').update(key + GUID).digest('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: target.port || 80,
      path: `${target.pathname}${target.search}`,
      headers: {
        ...(options.headers ?? {}),
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
      timeout: options.timeoutMs ?? 10000,
    });
    req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.setTimeout(0); // the handshake's timeout, not the connection's: a stream may sit idle
      if (res.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new WebSocketOpenError('the container answered the upgrade with a wrong Sec-WebSocket-Accept', 0));
        return;
      }
      resolve(new WebSocketConnection(socket, events, head));
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        reject(new WebSocketOpenError(`the container answered ${status} instead of switching to WebSocket`, status, Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out waiting for the WebSocket upgrade')));
    req.on('error', (err: Error) => reject(new WebSocketOpenError(err.message, 0)));
    req.end();
  });
}
