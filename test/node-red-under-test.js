'use strict';
// Which Node-RED the tests run against. By default the project's own devDependency (Node-RED 4.1). With
// NODE_RED_UNDER_TEST=<dir> (a directory whose node_modules holds another node-red, as scripts/test-nr5.js
// installs), every `node-red`, `node-red/...` and `@node-red/...` that the tests, node-red-node-test-helper or the
// spawned runtime resolve comes from there instead, so the whole suite runs unchanged against that Node-RED.
// Loaded by mocha before any spec (.mocharc.json "require").
const Module = require('node:module');
const path = require('node:path');

const dir = process.env.NODE_RED_UNDER_TEST;
if (dir) {
  const base = path.resolve(dir);
  const original = Module._resolveFilename;
  const ours = (request) => request === 'node-red' || request.startsWith('node-red/') || request.startsWith('@node-red/');
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (ours(request) && !(options && options.paths)) {
      return original.call(this, request, parent, isMain, { paths: [base] });
    }
    return original.call(this, request, parent, isMain, options);
  };
}

const pkg = require('node-red/package.json');
const home = path.dirname(require.resolve('node-red/package.json'));
if (dir && !home.startsWith(path.resolve(dir) + path.sep)) {
  throw new Error(`NODE_RED_UNDER_TEST=${dir} but node-red resolves to ${home}`);
}
const expected = process.env.NODE_RED_EXPECT_MAJOR;
if (expected && pkg.version.split('.')[0] !== expected) {
  throw new Error(`expected Node-RED ${expected}.x, found ${pkg.version} at ${home}`);
}
console.log(`Testing with Node-RED ${pkg.version} (${path.relative(process.cwd(), home) || home}) on Node.js ${process.version}`);
