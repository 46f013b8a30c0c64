'use strict';
// The benchmark's loopback endpoint, in a process of its own (so its CPU is not the bench's): the package's
// SageMaker-compatible server (SigV4 checked, as the service does) with one JSON endpoint, and a plain keep-alive
// HTTP server that answers the same JSON without signing, for the raw HTTP reference loop.
// A second endpoint, bench-batch-model, is the batching scenario's CSV model: it takes BENCH_BATCH_MODEL_MS
// (default 20) per request plus BENCH_BATCH_ROW_MS (default 0.02) per row, like a model whose cost is mostly fixed
// per call, and answers text/csv with one `id,score` line per `id,v1,v2,...` row, in order (so the driver can check
// that each message got the answer to its own row).
// Prints one line of JSON with both URLs, then serves until stdin closes or SIGTERM.
const http = require('node:http');
const { SageMakerServer } = require('sagemaker-local');
const { KEYS, ENDPOINT, BATCH_ENDPOINT } = require('./common');

/** The model: a small JSON answer computed from the reading, like a scoring model. */
function score(body) {
  const reading = JSON.parse(body.toString());
  const values = Array.isArray(reading.values) ? reading.values : [];
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1);
  return JSON.stringify({ id: reading.id, score: Math.round(mean * 1000) / 1000, anomaly: mean > 0.9 });
}

/** The CSV model: a body of `id,v1,v2,...` rows (a final newline allowed) -> one `id,score` line per row. */
function scoreCsv(body) {
  const rows = body.toString('utf8').split('\n');
  if (rows.length > 1 && rows[rows.length - 1] === '') rows.pop();
  const lines = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const fields = rows[r].split(',');
    let sum = 0;
    for (let k = 1; k < fields.length; k++) sum += Number(fields[k]);
    const mean = fields.length > 1 ? sum / (fields.length - 1) : NaN;
    if (fields[0] === '' || !Number.isFinite(mean)) return { error: `row ${r + 1} is not id,v1,v2,...: ${JSON.stringify(rows[r].slice(0, 80))}` };
    lines[r] = `${fields[0]},${Math.round(mean * 1000) / 1000}`;
  }
  return { rows: rows.length, text: lines.join('\n') };
}

async function main() {
  const delayMs = Number(process.env.BENCH_MODEL_MS || 0);
  const batchMs = Number(process.env.BENCH_BATCH_MODEL_MS ?? 20);
  const rowMs = Number(process.env.BENCH_BATCH_ROW_MS ?? 0.02);
  const server = new SageMakerServer({
    credentials: [KEYS],
    maxRecordedRequests: 0,
    endpoints: {
      [ENDPOINT]: async (req) => {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        return { body: score(req.body), contentType: 'application/json' };
      },
      [BATCH_ENDPOINT]: async (req) => {
        const out = scoreCsv(req.body);
        if (out.error) return { error: 'ModelError', message: out.error, fields: { OriginalStatusCode: 400, OriginalMessage: out.error } };
        const wait = batchMs + out.rows * rowMs;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return { body: out.text, contentType: 'text/csv' };
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
