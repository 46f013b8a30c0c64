'use strict';
// The server package of this workspace (packages/sagemaker-local, linked as node_modules/sagemaker-local) as the
// root's tests reach it: its module API by name, and the servers only tests use (its src/test-servers/, compiled to
// its dist/test-servers/ and not shipped) and its hand-signed bidirectional client (its test/bidi-client.js).
const path = require('node:path');

const serverRoot = path.dirname(require.resolve('sagemaker-local/package.json'));

/** A test server module of the server package: certs, connect-proxy, sts-server, model-container, bidi-container. */
function testServer(name) {
  return require(path.join(serverRoot, 'dist', 'test-servers', name));
}

/** A test helper of the server package (test/NAME.js). */
function serverTestHelper(name) {
  return require(path.join(serverRoot, 'test', name));
}

module.exports = { serverRoot, testServer, serverTestHelper };
