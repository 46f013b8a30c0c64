'use strict';
// Shared by the benchmark's processes and nodes. The keys are made up: the loopback server accepts only them.
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

/** Prints a scenario's summary lines and writes its full report as JSON to `jsonPath`, saying where. */
function writeReport(lines, report, jsonPath) {
  process.stdout.write(`${lines.join('\n')}\n`);
  fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
  fs.writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`JSON: ${path.relative(process.cwd(), jsonPath)}\n`);
}

module.exports = {
  KEYS: { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench-secret-not-a-real-aws-key' },
  REGION: 'us-east-1',
  ENDPOINT: 'bench-model',
  /** The batching scenario's CSV model (bench/server.js): one `id,score` line per `id,v1,v2,...` row, in order. */
  BATCH_ENDPOINT: 'bench-batch-model',
  /** The sink nodes report each arriving msg here; the driver listens. One per process (module cache). */
  hub: new EventEmitter(),
  writeReport,
};
