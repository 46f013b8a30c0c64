'use strict';
// `npm start` as a newcomer runs it: no AWS credentials anywhere (AWS_* unset, HOME an empty directory), the demo
// server and Node-RED started by the script. The result is observed through Node-RED's own runtime: the admin API
// triggers the demo flow's inject nodes (POST /inject/:id) and the debug nodes' messages arrive over the editor's
// /comms websocket, exactly what the debug sidebar shows. Then SIGINT (Ctrl-C) stops both processes.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const WebSocket = require('ws');
const { freePort, freePortPair, artifacts, alive } = require('./node-red-process');
const { launch, openEditor, openNode, showSidebar, screenshot } = require('./e2e/browser');

const root = path.join(__dirname, '..');
const userDir = path.join(root, 'test-artifacts', 'npm-start-userdir');
const shots = path.join(artifacts, 'screenshots');
const pkgName = require('../package.json').name;
const flows = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'flows.json'), 'utf8'));
const byName = (type, name) => {
  const node = flows.find((n) => n.type === type && (n.name === name || (type === 'tab' && n.label === name)));
  assert.ok(node, `the demo flow has a ${type} node "${name}"`);
  return node.id;
};

/**
 * Runs in the editor: the active tab's layout problems. Node boxes (with their buttons and ports, as drawn) must lie
 * inside the visible chart and keep apart (20 px side by side, 8 px one above the other); a wire must not pass under a node other than its two ends.
 */
function layoutOfActiveTab() {
  const chart = document.getElementById('red-ui-workspace-chart');
  const area = chart.getBoundingClientRect();
  const width = chart.clientWidth;
  const height = chart.clientHeight;
  const problems = [];
  const nodes = RED.nodes.filterNodes({ z: RED.workspaces.active() });
  const drawn = nodes.map((n) => {
    const r = chart.querySelector(`g[id="${n.id}"]`).getBoundingClientRect();
    return { n, label: n.name || n.type, left: r.left - area.left, right: r.right - area.left, top: r.top - area.top, bottom: r.bottom - area.top };
  });
  // Between the drawn boxes, ports included: side by side, room for a visible piece of wire; one above the other,
  // at least the editor's own spacing (nodes 40 px apart on its grid leave 10 px).
  const WIDE = 20;
  const TALL = 8;
  for (const d of drawn) {
    if (d.left < 0 || d.top < 0 || d.right > width || d.bottom > height) {
      problems.push(`${d.label} (${Math.round(d.left)}..${Math.round(d.right)}, ${Math.round(d.top)}..${Math.round(d.bottom)}) is not inside the visible ${width} x ${height}`);
    }
  }
  for (let i = 0; i < drawn.length; i++) {
    for (let j = i + 1; j < drawn.length; j++) {
      const a = drawn[i];
      const b = drawn[j];
      const apart = a.right + WIDE <= b.left || b.right + WIDE <= a.left || a.bottom + TALL <= b.top || b.bottom + TALL <= a.top;
      if (!apart) problems.push(`${a.label} and ${b.label} touch or overlap`);
    }
  }
  // Wires, in workspace coordinates: the link paths against each node's box (node.x/y is its centre).
  let wires = 0;
  for (const el of chart.querySelectorAll('path.red-ui-flow-link-line')) {
    const link = el.__data__ || (el.parentNode && el.parentNode.__data__);
    if (!link || !link.source || !link.target) continue;
    wires += 1;
    const length = el.getTotalLength();
    for (const n of nodes) {
      if (n === link.source || n === link.target) continue;
      for (let s = 0; s <= length; s += 4) {
        const p = el.getPointAtLength(s);
        if (Math.abs(p.x - n.x) < n.w / 2 && Math.abs(p.y - n.y) < n.h / 2) {
          problems.push(`the wire ${link.source.name || link.source.type} -> ${link.target.name || link.target.type} passes under ${n.name || n.type}`);
          break;
        }
      }
    }
  }
  return { width, height, nodes: drawn.length, wires, problems };
}

describe('npm start (demo server + Node-RED with the demo flow, no AWS account)', function () {
  this.timeout(120000);
  let npm;
  let output = '';
  let base;
  let ws;
  let home;
  const debugMessages = [];

  const until = async (what, predicate, ms = 90000) => {
    const started = Date.now();
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (npm.exitCode !== null) throw new Error(`npm start exited while waiting for ${what}:\n${output}`);
      if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const debugFrom = (id, match) => until(`a debug message from ${id}`, () => debugMessages.find((m) => m.id === id && match(m)));

  before(async function () {
    fs.rmSync(userDir, { recursive: true, force: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-home-'));
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (/^AWS_/.test(name)) delete env[name];
    const port = await freePort();
    Object.assign(env, {
      HOME: home,
      PORT: String(port),
      SAGEMAKER_LOCAL_PORT: String(await freePortPair()), // its HTTP/2 port is the next one
      SAGEMAKER_DEMO_USER_DIR: userDir,
      npm_config_cache: path.join(home, '.npm'),
    });
    base = `http://127.0.0.1:${port}`;
    // Its own process group, like a terminal's foreground job, so SIGINT reaches it as Ctrl-C does.
    npm = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    npm.stdout.on('data', (d) => { output += d; });
    npm.stderr.on('data', (d) => { output += d; });
    await until('Node-RED and the demo flow', () => /\[npm start\] ready: open /.test(output));

    ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      for (const event of [].concat(JSON.parse(data.toString()))) {
        if (event.topic === 'debug') debugMessages.push(event.data);
      }
    });
    ws.send(JSON.stringify({ subscribe: 'debug' }));
  });

  after(async function () {
    if (ws) ws.terminate();
    if (npm && npm.exitCode === null && npm.signalCode === null) {
      try {
        process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    fs.mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(root, 'test-artifacts', 'npm-start.log'), output);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const inject = async (id) => {
    const res = await fetch(`${base}/inject/${id}`, { method: 'POST' });
    assert.equal(res.status, 200, `inject ${id}`);
  };

  it('follows the README: normal reading five times (the readings vary like a sensor\'s), then spike, which is an anomaly', async function () {
    // Before anything is pressed, no tab talks to the sidebar (the batching tab waits for its start button too).
    assert.deepEqual(debugMessages, [], 'nothing arrives unasked');

    const scoreId = byName('debug', 'score');
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const before = debugMessages.length;
      await inject(byName('inject', 'normal reading'));
      const m = await until(`answer ${i + 1}`, () => debugMessages.slice(before).find((d) => d.id === scoreId));
      answers.push(JSON.parse(m.msg));
    }
    assert.deepEqual(answers.map((a) => [a.series, a.count, a.anomaly]), [0, 1, 2, 3, 4].map((n) => ['pump-1', n, false]));
    const values = answers.map((a) => a.value);
    assert.ok(new Set(values).size >= 3, `the readings vary: ${values}`);
    for (const v of values) assert.ok(v > 21 && v < 22, `${v} is a normal reading around 21.5`);
    assert.ok(answers[4].stdDev > 0 && typeof answers[4].zScore === 'number', 'a spread, so a z-score');

    await inject(byName('inject', 'spike'));
    const flagged = await debugFrom(byName('debug', 'anomaly!'), (d) => /"series":"pump-1"/.test(d.msg));
    const spike = JSON.parse(flagged.msg);
    assert.equal(spike.value, 35.2);
    assert.equal(spike.anomaly, true);
    assert.ok(spike.zScore >= 3, `z ${spike.zScore}`);
    assert.ok(/\[sagemaker-local\] POST \/endpoints\/sensor-anomaly\/invocations 200/.test(output), 'the local server answered it');
    // Node-RED's own notices about a fresh user directory aside, the flow deployed and ran without a warning.
    const problems = output.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|Encrypted credentials not found/.test(l));
    assert.deepEqual(problems, []);
  });

  it('runs the second tab: CSV in and out, and a model error at the Catch node', async function () {
    await inject(byName('inject', 'CSV rows'));
    const csv = await debugFrom(byName('debug', 'CSV answer'), () => true);
    assert.match(csv.msg, /^pump-1,21\.5,\d+,/); // a string reaches the sidebar as it is

    await inject(byName('inject', 'bad reading'));
    const caught = await debugFrom(byName('debug', 'error details'), () => true);
    const error = JSON.parse(caught.msg);
    assert.equal(error.name, 'ModelError');
    assert.equal(error.originalStatusCode, 400);
    assert.match(error.originalMessage, /value must be a finite number/);
  });

  it('runs the third tab: ten readings at once go to the demo model as one request, and the sidebar gets one summary per request', async function () {
    const summaryId = byName('debug', 'batch summary');
    const summaries = () => debugMessages.filter((m) => m.id === summaryId).map((m) => JSON.parse(m.msg));
    const before = summaries().length;
    assert.equal(before, 0, 'no summary before start readings is pressed');
    await inject(byName('inject', 'start readings'));
    await until('a batch summary', () => summaries().length > before);
    await inject(byName('inject', 'stop readings'));
    // One message sums up one request of the ten readings of one round.
    for (const s of summaries()) {
      assert.equal(s.readings, 10, `batch size ${s.readings}`);
      assert.deepEqual(Object.keys(s.zScores), Array.from({ length: 10 }, (_, i) => `line-${i + 1}`), 'each sensor\'s score, in order');
      assert.ok(Array.isArray(s.anomalies));
      assert.equal(typeof s.requestId, 'string');
    }
    const ids = summaries().map((s) => s.requestId);
    assert.equal(new Set(ids).size, ids.length, 'one summary per request, never one per reading');
    const batchTab = new Set(flows.filter((n) => n.z === byName('tab', '3 Batching')).map((n) => n.id));
    assert.deepEqual([...new Set(debugMessages.filter((m) => batchTab.has(m.id)).map((m) => m.id))], [summaryId], 'no other debug output on that tab');
  });

  it('runs the fourth tab: an async reading comes back from S3 seconds later, a failing one reaches the Catch node', async function () {
    await inject(byName('inject', 'async reading'));
    const result = await debugFrom(byName('debug', 'async result'), () => true);
    const msg = JSON.parse(result.msg);
    assert.equal(msg.payload.series, 'pump-async');
    assert.equal(msg.payload.value, 21.7);
    assert.match(msg.sagemaker.outputLocation, /^s3:\/\/sagemaker-local-demo\/async-output\//);
    assert.ok(msg.sagemaker.waitedMs >= 1500, `waited ${msg.sagemaker.waitedMs} ms`);

    await inject(byName('inject', 'failing reading'));
    const caught = await debugFrom(byName('debug', 'async error'), () => true);
    const error = JSON.parse(caught.msg);
    assert.equal(error.name, 'AsyncInferenceFailed');
    assert.match(error.message, /value must be a finite number/);
  });

  it('runs the fifth tab: twenty readings stream to the demo model over HTTP/2, each score arrives as it is made, then the totals', async function () {
    const scoreId = byName('debug', 'score as it arrives');
    await inject(byName('inject', 'stream 20 readings'));
    const totals = JSON.parse((await debugFrom(byName('debug', 'stream totals'), () => true)).msg);
    assert.deepEqual([totals.endpointName, totals.partsSent, totals.partsReceived], ['sensor-anomaly', 20, 20]);
    const scores = debugMessages.filter((m) => m.id === scoreId).map((m) => JSON.parse(m.msg));
    assert.deepEqual(scores.map((s) => s.index), Array.from({ length: 20 }, (_, i) => i), 'one score per reading, in order');
    assert.ok(scores.every((s) => s.series === 'pump-1'));
    assert.equal(scores[14].anomaly, true, 'the spike');
  });

  it('lays out every tab so it fits a 1280-px-wide editor with the sidebar open: no node touches another or sits on a wire, each tab has an Info text', async function () {
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // A fresh browser, as a newcomer's: npm start's settings turn Node-RED's welcome tour off, so none covers the demo.
      const editorTheme = (await (await fetch(`${base}/settings`)).json()).editorTheme;
      assert.equal(editorTheme.tours, false, 'editorTheme.tours in the settings npm start writes');
      await openEditor(page, base);
      assert.equal(await page.locator('.red-ui-tourGuide-popover').count(), 0, 'no welcome tour shows');
      await showSidebar(page, 'd');
      const tabs = flows.filter((n) => n.type === 'tab');
      assert.equal(tabs.length, 5);
      for (const [i, tab] of tabs.entries()) {
        assert.ok(tab.info && tab.info.length > 80, `tab "${tab.label}" has a description for the Info panel`);
        await page.evaluate((id) => RED.workspaces.show(id), tab.id);
        await page.waitForFunction((id) => RED.workspaces.active() === id, tab.id);
        await screenshot(page, shots, `demo-tab-${i + 1}.png`);
        const layout = await page.evaluate(layoutOfActiveTab);
        assert.deepEqual(layout.problems, [], `tab "${tab.label}" (chart ${layout.width} x ${layout.height} px)`);
        const own = flows.filter((n) => n.z === tab.id);
        assert.equal(layout.nodes, own.length, 'every node of the tab drawn');
        assert.equal(layout.wires, own.reduce((sum, n) => sum + (n.wires || []).flat().length, 0), 'every wire checked');
      }
    } finally {
      await browser.close();
    }
  });

  it('lists the package in the user directory\'s package.json, so installing another node from the palette keeps it', async function () {
    const manifest = JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8'));
    const spec = manifest.dependencies && manifest.dependencies[pkgName];
    assert.match(spec || '', /^file:/);
    assert.equal(fs.realpathSync(path.resolve(userDir, spec.slice('file:'.length))), fs.realpathSync(root));
    // What the palette manager runs (Node-RED's installer: npm install --save ...) for another node, asked of npm as
    // a dry run, so the test changes nothing: npm must not plan to remove this package.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'other-node-'));
    try {
      fs.writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'node-red-contrib-other-demo', version: '1.0.0', 'node-red': { nodes: {} } }));
      // A packed module, as the palette gets one from the registry.
      const tarball = path.join(other, execFileSync('npm', ['pack', '--silent'], { cwd: other, encoding: 'utf8' }).trim());
      const out = execFileSync('npm', ['install', '--dry-run', '--json', '--offline', '--no-audit', '--no-update-notifier', '--no-fund',
        '--save', '--save-prefix=~', '--omit=dev', '--engine-strict', tarball], { cwd: userDir, encoding: 'utf8', env: { ...process.env, npm_config_cache: path.join(home, '.npm') } });
      // npm prints its plan in words ("add ...", "remove ...") before the JSON.
      const plan = JSON.parse(out.slice(out.search(/^\{/m)));
      // Its summary in words, then in numbers (npm prints the lists too when run outside npm).
      assert.match(out, /^add node-red-contrib-other-demo 1\.0\.0$/m);
      assert.equal(plan.added, 1, out);
      // Without the package.json entry npm plans "remove node-red-contrib-sagemaker-runtime" here. (It may plan to
      // re-make the link, a "change" to the same version, which keeps it.)
      assert.doesNotMatch(out, /^remove /m);
      assert.equal(plan.removed, 0, out);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('keeps the demo keys out of flows.json: they are in Node-RED\'s encrypted credential store', function () {
    const saved = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    const { credentials } = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'sagemaker-local.json'), 'utf8'));
    assert.ok(!saved.includes(credentials[0].secretAccessKey));
    assert.ok(!fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8').includes(credentials[0].secretAccessKey));
    assert.ok(!output.includes(credentials[0].secretAccessKey), 'nor in any log line');
  });

  it('offers the demo\'s endpoints in the invoke node\'s dialog (its config node\'s Control-plane URL is the local server)', async function () {
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await openEditor(page, base);
      await openNode(page, byName('sagemaker-invoke', 'anomaly score'));
      const field = page.locator('#node-input-endpointName');
      await field.click();
      await field.press('Control+a');
      await page.keyboard.type('sensor', { delay: 20 });
      const offers = '.red-ui-autoComplete-container li a';
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, offers);
      assert.deepEqual(await page.locator(offers).evaluateAll((links) => links.map((a) => a.innerText.replace(/\s+/g, ' ').trim())),
        ['sensor-anomaly InService', 'sensor-anomaly-async InService']);
      await page.locator(offers).first().click();
      // The demo's configuration names the endpoint's variant and inference component for the newcomer to see.
      await page.waitForFunction(() => /inference components: sensor-anomaly-scorer \(InService\)/.test(
        (document.querySelector('.red-ui-tray .sagemaker-discovery-summary') || {}).textContent || ''));
      assert.match(await page.locator('.sagemaker-discovery-summary').innerText(), /^InService · variants: AllTraffic \(ml\.m5\.large × 1\)/);
      await screenshot(page, shots, 'demo-discovery.png');
      await page.locator('#node-dialog-cancel').click();
    } finally {
      await browser.close();
    }
  });

  it('stops Node-RED and the local server on Ctrl-C (SIGINT)', async function () {
    const redPid = Number(/Node-RED pid (\d+)/.exec(output)[1]);
    assert.ok(alive(redPid));
    const exited = new Promise((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
    process.kill(-npm.pid, 'SIGINT');
    await exited;
    assert.match(output, /\[npm start\] stopped/);
    // start.js reports "stopped" only after Node-RED's exit, and has reaped it.
    assert.ok(!alive(redPid), 'Node-RED exited');
    const refused = await fetch(base).then(() => false, () => true);
    assert.ok(refused, 'nothing listens on the Node-RED port any more');
  });
});
