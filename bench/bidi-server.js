'use strict';
// The bidi scenario's loopback server, in a process of its own (so its CPU is not the bench's): the package's
// HTTP/2 BidiServer (request SigV4 and every event's chained signature checked, as the service does) with one
// endpoint that answers each part at once with the same bytes, data type and completion state: the model costs
// nothing, so what is measured is the client. Prints one line of JSON with the URL, then serves until stdin closes.
const { BidiServer } = require('sagemaker-local');
const { KEYS } = require('./common');

const ECHO = 'bench-echo';

async function* echo(input) {
  for await (const part of input) yield { part: part.bytes, dataType: part.dataType, completionState: part.completionState };
}

async function main() {
  const server = new BidiServer({
    credentials: [KEYS],
    maxRecordedStreams: 1,
    endpoints: { [ECHO]: (call) => ({ output: echo(call.input) }) },
  });
  const url = await server.listen();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  const stop = () => server.close().then(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}

module.exports = { ECHO };
