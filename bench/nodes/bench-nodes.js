'use strict';
// Two node types for the benchmark flow:
// - bench-baseline: the thinnest node one can write on the raw SDK: one client, a concurrency limit, JSON in and
//   JSON out, nothing else (no validation, no metadata, no status, no queue bound, no abort on close).
// - bench-sink: hands each msg to the driver (bench/common.js hub) and ends it.
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { hub, KEYS, REGION, ENDPOINT } = require('../common');

module.exports = function (RED) {
  function BenchBaseline(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const client = new SageMakerRuntimeClient({ region: REGION, endpoint: config.endpointUrl, credentials: KEYS });
    const limit = Number(config.concurrency) || 1;
    const waiting = [];
    let running = 0;
    const run = (msg, send, done) => {
      running += 1;
      client
        .send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'application/json', Body: JSON.stringify(msg.payload) }))
        .then((out) => {
          msg.payload = JSON.parse(Buffer.from(out.Body).toString('utf8'));
          send(msg);
          done();
        }, done)
        .finally(() => {
          running -= 1;
          const next = waiting.shift();
          if (next) run(...next);
        });
    };
    node.on('input', (msg, send, done) => {
      if (running < limit) run(msg, send, done);
      else waiting.push([msg, send, done]);
    });
    node.on('close', () => client.destroy());
  }
  RED.nodes.registerType('bench-baseline', BenchBaseline);

  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      hub.emit('arrive', msg);
      done();
    });
  }
  RED.nodes.registerType('bench-sink', BenchSink);
};
