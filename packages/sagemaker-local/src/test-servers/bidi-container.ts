/**
 * The test model container's side of SageMaker's bidirectional container contract: a WebSocket server (the `ws`
 * package) on the container's HTTP server, for any path (the default `/invocations-bidirectional-stream`, or the
 * call's model invocation path). Each message it receives is answered:
 *   text "whoami"        → text JSON {path, query} of the upgrade request (what the sidecar asked for)
 *   text "close:CODE"    → closes the WebSocket with CODE and reason "asked to"
 *   text "burst:N"       → N text messages "burst-1" … "burst-N"
 *   any other text       → text "echo:" + the text (a PARTIAL run arrives joined, as one message)
 *   binary               → the same bytes back, as binary
 * A path of /refuse answers the upgrade with 503 and "not now".
 */
import type { Server } from 'http';
import { WebSocketServer, type WebSocket } from 'ws';

function answer(socket: WebSocket, data: Buffer, isBinary: boolean, url: URL): void {
  if (isBinary) {
    socket.send(data, { binary: true });
    return;
  }
  const text = data.toString('utf8');
  if (text === 'whoami') socket.send(JSON.stringify({ path: url.pathname, query: url.search.slice(1) }));
  else if (text.startsWith('close:')) socket.close(Number(text.slice(6)), 'asked to');
  else if (text.startsWith('burst:')) for (let i = 1; i <= Number(text.slice(6)); i++) socket.send(`burst-${i}`);
  else socket.send(`echo:${text}`);
}

export function attachBidi(server: Server): void {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://container');
    if (url.pathname === '/refuse') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 7\r\nConnection: close\r\n\r\nnot now');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => answer(ws, data, isBinary, url));
    });
  });
}
