'use strict';
// The benchmark's loopback endpoint, in a process of its own (so its CPU is not the bench's): the package's
// SageMaker-compatible server (SigV4 checked, as the service does) with one JSON endpoint, and a plain keep-alive
// HTTP server that answers the same JSON without signing, for the raw HTTP reference loop.
// Prints one line of JSON with both URLs, then serves until stdin closes or SIGTERM.
const http = require('node:http');
const { SageMakerServer } = require('../nodes/server/sagemaker-server');
const { KEYS, ENDPOINT } = require('./common');

/** The model: a small JSON answer computed from the reading, like a scoring model. */
function score(body) {
  const reading = JSON.parse(body.toString());
  const values = Array.isArray(reading.values) ? reading.values : [];
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1);
  return JSON.stringify({ id: reading.id, score: Math.round(mean * 1000) / 1000, anomaly: mean > 0.9 });
}

async function main() {
  const delayMs = Number(process.env.BENCH_MODEL_MS || 0);
  const server = new SageMakerServer({
    credentials: [KEYS],
    maxRecordedRequests: 0,
    endpoints: {
      [ENDPOINT]: async (req) => {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        return { body: score(req.body), contentType: 'application/json' };
      },
    },
  });
  const url = await server.listen(0, '127.0.0.1');
  const raw = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const out = score(Buffer.concat(chunks));
      const answer = () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) });
        res.end(out);
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  raw.keepAliveTimeout = 60000;
  await new Promise((r) => raw.listen(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ url, rawUrl: `http://127.0.0.1:${raw.address().port}` })}\n`);
  const stop = async () => {
    raw.closeAllConnections();
    raw.close();
    await server.close();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
