/**
 * A tiny model container that follows SageMaker's container contract, for the local server's tests, run as its
 * own process (`node dist/test-servers/model-container.js [--not-ready]`): it listens on 127.0.0.1 (port 0 by
 * default, SAGEMAKER_BIND_TO_PORT to choose), prints `port N` once listening, and answers
 *   GET /ping            200 when ready; 503 until POST /control/ready when started with --not-ready
 *   POST /invocations    200 with JSON {headers, body} (what it received), or by the request's Accept:
 *                        - application/x-status-NNN: answers NNN with the text "container says NNN"
 *                        - application/x-hang: never answers
 *                        - application/x-chunks: writes "part-1\n", waits for POST /control/release, then
 *                          "part-2\n" and "part-3\n" (chunked)
 *                        - application/x-break: writes "part-1\n" then destroys the connection
 *   POST /control/ready, POST /control/release   test controls
 *   WebSocket upgrades   bidirectional streams, see bidi-container.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { attachBidi } from './bidi-container';

let ready = !process.argv.includes('--not-ready');
const waiting: Array<() => void> = [];

/** The test controls and the health check; false when the request is none of them. */
function control(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' && req.url === '/ping') {
    res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'loading');
    return true;
  }
  if (req.method === 'POST' && req.url === '/control/ready') {
    ready = true;
    res.writeHead(204).end();
    return true;
  }
  if (req.method === 'POST' && req.url === '/control/release') {
    for (const release of waiting.splice(0)) release();
    res.writeHead(204).end();
    return true;
  }
  return false;
}

/** POST /invocations: answers as the request's Accept asks, else echoes what it received. */
function invoke(req: IncomingMessage, res: ServerResponse, body: string): void {
  const accept = req.headers.accept || '';
  const status = /^application\/x-status-(\d{3})$/.exec(accept);
  if (status) {
    res.writeHead(Number(status[1]), { 'Content-Type': 'text/plain' }).end(`container says ${status[1]}`);
    return;
  }
  if (accept === 'application/x-hang') return;
  if (accept === 'application/x-chunks') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('part-1\n');
    waiting.push(() => {
      res.write('part-2\n');
      res.end('part-3\n');
    });
    return;
  }
  if (accept === 'application/x-break') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('part-1\n', () => setImmediate(() => res.socket?.destroy()));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amzn-SageMaker-Custom-Attributes': 'answered=yes' });
  res.end(JSON.stringify({ headers: req.headers, body }));
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (control(req, res)) return;
    if (req.method !== 'POST' || req.url !== '/invocations') {
      res.writeHead(404).end('not found');
      return;
    }
    invoke(req, res, Buffer.concat(chunks).toString('utf8'));
  });
});

// Bidirectional streams: WebSocket upgrades (see bidi-container.ts).
attachBidi(server);

server.listen(Number(process.env.SAGEMAKER_BIND_TO_PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
