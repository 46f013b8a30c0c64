'use strict';
// sagemaker-local as a user gets it: its own `npm pack` tarball, installed ALONE into an empty directory with
// production dependencies only (no workspace, no devDependency, nothing of the Node-RED package), runs
// `npx sagemaker-local --demo …` and answers an InvokeEndpoint the AWS SDK signs. Also: the tarball holds the
// compiled server, its type declarations, README and LICENSE, and none of the test servers or sources.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');

const packageDir = path.join(__dirname, '..');
const manifest = require('../package.json');
const KEY = { accessKeyId: 'AKIALOCALPACK0001', secretAccessKey: 'local-pack-secret/not+real' };

describe('the sagemaker-local package, packed and installed alone', function () {
  this.timeout(180000);
  let dir;
  let packed;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-local-alone-'));
    // Built by `npm test` (npm run build) before the tests run; packing does not rebuild.
    [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: packageDir, encoding: 'utf8' }));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "empty", "version": "1.0.0", "private": true }\n');
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, packed.filename)], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  });

  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('packs the compiled server with its declarations, README and LICENSE, and no test server or source', function () {
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/models/demo-model.js', 'dist/signing/sigv4.js']) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    assert.deepEqual(files.filter((f) => !/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md|LICENSE)$/.test(f)), [], 'nothing else');
    assert.deepEqual(files.filter((f) => f.startsWith('dist/test-servers/')), [], 'the test servers stay in the repository');
    assert.equal(manifest.bin['sagemaker-local'], 'dist/cli.js');
  });

  it('installs with its own dependencies only: ws, csv-parse and jsonc-parser, none of the AWS SDK', function () {
    const installed = fs.readdirSync(path.join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
    assert.deepEqual(installed.sort(), ['csv-parse', 'jsonc-parser', 'sagemaker-local', 'ws']);
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['csv-parse', 'jsonc-parser', 'ws']);
    const api = require(path.join(dir, 'node_modules', 'sagemaker-local'));
    for (const name of ['startLocalServer', 'validateConfig', 'SageMakerServer', 'demoModel', 'ContainerRoute', 'throttle', 'BidiServer']) {
      assert.equal(typeof api[name], 'function', name);
    }
  });

  it('runs `npx sagemaker-local --demo` there and answers a signed InvokeEndpoint from the AWS SDK', async function () {
    const child = spawn('npx', ['--no-install', 'sagemaker-local', '--demo', 'sensors', '--port', '0', '--access-key-id', KEY.accessKeyId, '--secret-access-key', KEY.secretAccessKey], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      while (!/listening on (http:\/\/127\.0\.0\.1:\d+)/.test(out)) {
        if (child.exitCode !== null) throw new Error(`sagemaker-local exited:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)[1];
      const sm = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: KEY, maxAttempts: 1 });
      const res = await sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: '{"series": "pump-1", "value": 21.5}', ContentType: 'application/json' }));
      sm.destroy();
      assert.deepEqual(JSON.parse(Buffer.from(res.Body).toString('utf8')), { series: 'pump-1', value: 21.5, count: 0, mean: null, stdDev: null, zScore: null, anomaly: false });
      const wrong = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: { ...KEY, secretAccessKey: 'wrong' }, maxAttempts: 1 });
      await assert.rejects(wrong.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: '1' })), { name: 'InvalidSignatureException' });
      wrong.destroy();
    } finally {
      // npx runs the command in a child of its own: signal the whole group.
      process.kill(-child.pid, 'SIGINT');
    }
    // npx itself may end by the signal; the server closes cleanly (its own exit code is npx's when npx waits).
    const { code, signal } = await exited;
    assert.ok(code === 0 || signal === 'SIGINT', `exit ${code} ${signal}\n${out}`);
    assert.match(out, /SIGINT: closing/);
    assert.doesNotMatch(out, /Error|sagemaker-local: /, 'no error, no warning on loopback');
  });
});
