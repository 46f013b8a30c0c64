'use strict';
// Shared by the benchmark's processes and nodes. The keys are made up: the loopback server accepts only them.
const { EventEmitter } = require('node:events');

module.exports = {
  KEYS: { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench-secret-not-a-real-aws-key' },
  REGION: 'us-east-1',
  ENDPOINT: 'bench-model',
  /** The sink nodes report each arriving msg here; the driver listens. One per process (module cache). */
  hub: new EventEmitter(),
};
