#!/usr/bin/env node
// `npm start`: the local SageMaker-compatible endpoint server (demo/sagemaker-local.json) plus a Node-RED runtime
// on 127.0.0.1:$PORT (default 1880) with this package loaded and the demo flow deployed. No AWS account needed.
//
// - Node-RED's user directory is .node-red/ in the project (git ignores it); $SAGEMAKER_DEMO_USER_DIR moves it.
//   This script writes its settings.js on every start; the package is linked into its node_modules, so Node-RED
//   loads what `npm install` built (run `npm run build` after changing src/), and listed in its package.json, so
//   installing another node from the palette keeps it.
// - On the first start (no flows.json yet) the demo flow (demo/flows.json) is deployed through Node-RED's admin
//   API with the demo keys as the config node's credentials, so Node-RED keeps them in its encrypted store. Later
//   starts keep your edits; delete .node-red/ to start over.
// - The config node's Endpoint URL is ${SAGEMAKER_LOCAL_URL}, which this script sets for Node-RED to the local
//   server's URL ($SAGEMAKER_LOCAL_PORT overrides the port in demo/sagemaker-local.json).
// - Ctrl-C (SIGINT) or SIGTERM stops Node-RED, then the local server.
// - It never deploys to a Node-RED it did not start (scripts/start-guard.js): when either port is taken it says so
//   and exits before anything starts or is sent; the deploy goes only to the process that proves it is this
//   script's child (a per-run token and its pid in a response header), over the connection that proved it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { RUN_ENV, portInUse, newRunToken, runHeaderMiddleware, pinnedAdmin } = require('./start-guard');

const root = path.join(__dirname, '..');
/** Once Node-RED runs: stops it and the local server (so an error after the start leaves nothing behind). */
let shutdown;
const PREFIX = '[npm start]';
const say = (line) => process.stdout.write(`${PREFIX} ${line}\n`);
const fail = (line) => {
  process.stderr.write(`${PREFIX} ${line}\n`);
  process.exit(1);
};

function load(modulePath) {
  try {
    return require(modulePath);
  } catch (err) {
    if (err.code === 'MODULE_NOT_FOUND') fail(`${path.isAbsolute(modulePath) ? path.relative(root, modulePath) : modulePath} is missing: run \`npm install\` first (it builds the package).`);
    throw err;
  }
}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name} must be a port number from 1 to 65535 (got "${raw}")`);
  return port;
}

/**
 * Waits until this script's Node-RED (`child`) answers on `port`; resolves a connection pinned to it, or undefined
 * if the child exited. Throws when something else answers there (it took the port first).
 */
async function waitForNodeRed(port, child, token) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    const admin = pinnedAdmin(port);
    try {
      await admin.prove(token, child.pid);
      return admin;
    } catch (err) {
      admin.close();
      if (!['ECONNREFUSED', 'ECONNRESET'].includes(err.code)) throw err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function deployDemoFlow(admin, config) {
  const flows = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'flows.json'), 'utf8'));
  const key = config.credentials[0];
  for (const node of flows) {
    if (node.type === 'sagemaker-config') node.credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }
  const res = await admin.request('POST', '/flows', { flows }, { 'Node-RED-Deployment-Type': 'full' });
  if (res.status !== 200) throw new Error(`Node-RED refused the demo flow: ${res.status} ${res.text}`);
}

/**
 * Lists this package in the user directory's package.json as a `file:` dependency on the project. Installing a node
 * from the palette runs `npm install --save` there, and npm removes from node_modules whatever package.json does not
 * list: without this line the demo's own nodes would vanish at the first palette install. Other entries (nodes the
 * user installed, Node-RED's own fields) are kept.
 */
function listPackage(userDir, name) {
  const file = path.join(userDir, 'package.json');
  let manifest = { name: 'node-red-demo', description: 'The Node-RED user directory of npm start', version: '0.0.1', private: true };
  if (fs.existsSync(file)) {
    try {
      manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      fail(`${file} is not valid JSON (${err.message}): fix or delete it`);
    }
  }
  const spec = `file:${path.relative(userDir, root).split(path.sep).join('/') || '.'}`;
  if (manifest.dependencies && manifest.dependencies[name] === spec) return;
  manifest.dependencies = { ...manifest.dependencies, [name]: spec };
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

async function main() {
  // The local endpoint server is the workspace's other package, sagemaker-local (packages/sagemaker-local).
  const { loadConfig, startLocalServer, describeRoute } = load('sagemaker-local');
  for (const built of ['sagemaker-config.js', 'sagemaker-invoke.js', 'sagemaker-bidi.js']) load(path.join(root, 'dist', 'nodes', built));

  // The local endpoint server, from the same configuration file format as `sagemaker-local --config`.
  const args = ['--config', path.join(root, 'demo', 'sagemaker-local.json')];
  const serverPort = portFromEnv('SAGEMAKER_LOCAL_PORT', undefined);
  if (serverPort !== undefined) args.push('--port', String(serverPort));
  const config = loadConfig(args);
  const port = portFromEnv('PORT', 1880);
  if (port === config.port) fail(`PORT and SAGEMAKER_LOCAL_PORT are both ${port}: Node-RED and the local endpoint server need a port each`);
  // Both ports free, or nothing starts and nothing is sent: another Node-RED on the port would get the demo flow.
  if (await portInUse(port)) fail(`port ${port} is in use (another Node-RED?): set PORT to a free port for npm start's Node-RED`);
  if (await portInUse(config.port, config.host)) {
    fail(`port ${config.port} is in use: set SAGEMAKER_LOCAL_PORT to a free port for the local endpoint server`);
  }
  const serverLog = (line) => process.stdout.write(`[sagemaker-local] ${line}\n`);
  let local;
  try {
    local = await startLocalServer(config, { log: serverLog });
  } catch (err) {
    fail(err.code === 'EADDRINUSE'
      ? `port ${err.port ?? config.port} is in use: set SAGEMAKER_LOCAL_PORT to a free port for the local endpoint server (its HTTP/2 port is the next one)`
      : `the local endpoint server could not start: ${err.message}`);
  }
  serverLog(`listening on ${local.url}; bidirectional streams (HTTP/2) on ${local.bidiUrl}`);
  for (const [name, route] of Object.entries(config.endpoints)) serverLog(`  ${describeRoute(name, route)}`);

  // Node-RED's user directory, settings and this package.
  const userDir = path.resolve(process.env.SAGEMAKER_DEMO_USER_DIR || path.join(root, '.node-red'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', pkg.name);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(root, link, 'dir');
  listPackage(userDir, pkg.name);
  const secretFile = path.join(userDir, '.credential-secret');
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
  const firstStart = !fs.existsSync(path.join(userDir, 'flows.json'));
  const settingsFile = path.join(userDir, 'settings.js');
  fs.writeFileSync(settingsFile, `// Written by scripts/start.js (npm start) on every start: edit that script, not this file.
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  // The key Node-RED encrypts flows_cred.json with, made once for this user directory.
  credentialSecret: require('fs').readFileSync(require('path').join(__dirname, '.credential-secret'), 'utf8').trim(),
  logging: { console: { level: 'info', metrics: false, audit: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  // No welcome tour over the demo: a newcomer opens the editor to see the demo's tabs.
  editorTheme: { tours: false },
  ${runHeaderMiddleware}
};
`);

  const base = `http://127.0.0.1:${port}`;
  const token = newRunToken();
  const red = spawn(process.execPath, [require.resolve('node-red/red.js', { paths: [root] }), '--userDir', userDir, '--settings', settingsFile], {
    cwd: userDir,
    env: { ...process.env, SAGEMAKER_LOCAL_URL: local.url, SAGEMAKER_LOCAL_BIDI_URL: local.bidiUrl, [RUN_ENV]: token },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  say(`Node-RED pid ${red.pid}, user directory ${userDir}`);

  let stopping = false;
  const redExited = new Promise((resolve) => red.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async (reason) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}: stopping Node-RED and the local endpoint server`);
    if (red.exitCode === null && red.signalCode === null) red.kill('SIGINT');
    await redExited;
    await local.close();
    say('stopped');
  };
  shutdown = stop;
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  redExited.then(({ code, signal }) => {
    if (stopping) return;
    say(`Node-RED exited (${signal ?? `code ${code}`})`);
    void stop('Node-RED exited').then(() => process.exit(1));
  });

  const admin = await waitForNodeRed(port, red, token);
  if (!admin) return;
  try {
    if (firstStart) {
      await deployDemoFlow(admin, config);
      say('deployed the demo flow (first start; delete the user directory to get it back later)');
    }
  } finally {
    admin.close();
  }
  say(`ready: open ${base} in a browser and the debug sidebar; on the first tab press "normal reading" five times, then "spike"`);
}

main().catch(async (err) => {
  const oneLine = err && ['FOREIGN_SERVER', 'ETIMEDOUT'].includes(err.code);
  process.stderr.write(`${PREFIX} ${oneLine ? err.message : err && err.stack ? err.stack : String(err)}\n`);
  if (shutdown) await shutdown('error');
  process.exit(1);
});
