'use strict';
// The "SageMaker" sidebar tab (the sagemaker-live plugin) as a person uses it, in headless Chromium against a real
// Node-RED (the packed package) under load: the empty line before a SageMaker node is deployed; then, with two
// invoke nodes called five times a second (one answering, one failing with ModelError) and a bidi node streaming,
// a row per node with its flow's name, the numbers moving, the failing node marked with the error's name and count
// and the last error on hover, both charts drawn, and a click on a row showing the node's flow.
// Screenshots go to test-artifacts/screenshots/node-red-<major>/.
const assert = require('node:assert/strict');
const path = require('node:path');
const { startServer, KEYS } = require('../harness');
const { artifacts, nodeRedMajor, installPacked, startNodeRed } = require('../node-red-process');
const { launch, openEditor, newEditorPage, screenshot } = require('./browser');
const live = require('../../dist/shared/live');
const { BidiServer, demoBidi } = require('sagemaker-local');
const text = require('../../nodes/locales/en-US/sagemaker-live.json')['sagemaker-live'];

const userDir = path.join(artifacts, 'e2e-live-userdir');
const shots = path.join(artifacts, 'screenshots', `node-red-${nodeRedMajor}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Two flows: "Sensors" with two invoke nodes fed by injects five times a second and a bidi node, and "Other". */
function flows(url, bidiUrl) {
  const invoke = { contentType: '', accept: '', customAttributes: '', targetModel: '', targetVariant: '', targetContainerHostname: '', enableExplanations: '', inferenceComponentName: '', prefixAwareId: '', inputProperty: 'payload', outputProperty: 'payload', output: 'auto' };
  const inject = (id, x, y, wire, topic = '') => ({ id, type: 'inject', z: 'tab1', name: '', props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], payload: '21.5', payloadType: 'num', topic, repeat: '0.2', crontab: '', once: true, onceDelay: 0.1, x, y, wires: [[wire]] });
  return [
    { id: 'tab1', type: 'tab', label: 'Sensors' },
    { id: 'tab2', type: 'tab', label: 'Other' },
    { id: 'cfg1', type: 'sagemaker-config', name: 'local', region: 'us-east-1', endpointUrl: url, bidiEndpointUrl: bidiUrl, authMode: 'keys', profile: '', profileFile: '', maxAttempts: 1, retryMode: 'standard', timeout: 5000, credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey } },
    inject('in1', 120, 80, 'inv1'),
    { id: 'inv1', type: 'sagemaker-invoke', z: 'tab1', name: 'pump score', config: 'cfg1', ...invoke, endpointName: 'pump-model', x: 340, y: 80, wires: [[]] },
    inject('in2', 120, 160, 'inv2'),
    { id: 'inv2', type: 'sagemaker-invoke', z: 'tab1', name: '', config: 'cfg1', ...invoke, endpointName: 'broken-model', x: 340, y: 160, wires: [[]] },
    { id: 'catch1', type: 'catch', z: 'tab1', name: '', scope: ['inv2'], uncaught: false, x: 120, y: 240, wires: [[]] },
    inject('in3', 120, 320, 'bidi1', 'pump-1'),
    { id: 'bidi1', type: 'sagemaker-bidi', z: 'tab1', name: 'pump stream', config: 'cfg1', endpointName: 'sensor-anomaly', targetVariant: '', modelInvocationPath: '', modelQueryString: '', output: 'auto', idleTimeout: 60, maxStreams: 4, maxQueue: 100, x: 340, y: 320, wires: [[]] },
  ];
}

describe('the SageMaker sidebar tab in a browser', function () {
  this.timeout(120000);
  let red;
  let server;
  let bidi;
  let bidiUrl;
  let browser;
  let page;
  const pageErrors = [];
  const rows = () => page.locator('#sagemaker-live-content .sagemaker-live-row');
  const row = (id) => page.locator(`#sagemaker-live-content .sagemaker-live-row[data-node-id="${id}"]`);

  before(async function () {
    installPacked(userDir);
    server = await startServer({
      'pump-model': async () => { await sleep(25); return { body: '{"score":0.4}', contentType: 'application/json' }; },
      'broken-model': () => ({ error: 'ModelError', message: `Received server error (500) from model; key ${KEYS.secretAccessKey}`, fields: { OriginalStatusCode: 500, OriginalMessage: 'tensor shape mismatch' } }),
    });
    bidi = new BidiServer({ credentials: [KEYS], endpoints: { 'sensor-anomaly': demoBidi({ delayMs: 10 }) } });
    bidiUrl = await bidi.listen(0, '127.0.0.1');
    red = await startNodeRed(userDir, {
      logName: `node-red-${nodeRedMajor}-e2e-live.log`,
      settings: { editorTheme: { tours: false, palette: { catalogues: [] } } },
    });
    await red.deploy([{ id: 'tab1', type: 'tab', label: 'Sensors' }]);
    browser = await launch();
    page = await newEditorPage(browser, pageErrors);
    await openEditor(page, red.base);
  });

  after(async function () {
    if (browser) await browser.close();
    if (red) await red.stop();
    if (server) await server.close();
    if (bidi) await bidi.close();
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await screenshot(page, shots, `failed-live-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}.png`);
  });

  it(`adds the tab "${text.label}" (id ${live.LIVE_PLUGIN_ID}); before a SageMaker node is deployed it says so`, async function () {
    await page.waitForFunction((id) => RED.sidebar.containsTab(id), live.LIVE_PLUGIN_ID);
    await page.evaluate((id) => RED.sidebar.show(id), live.LIVE_PLUGIN_ID);
    const content = page.locator('#sagemaker-live-content');
    await content.waitFor({ state: 'visible' });
    await page.locator('.sagemaker-live-empty', { hasText: text.empty }).waitFor({ state: 'visible' });
    assert.equal(await rows().count(), 0);
    const label = await page.evaluate((id) => {
      const tab = document.querySelector(`#red-ui-tab-${id}, [id="red-ui-tab-${id}"]`);
      return tab ? tab.textContent.trim() : '';
    }, live.LIVE_PLUGIN_ID);
    assert.ok(label === '' || label.includes(text.label), `tab label ${label}`);
  });

  it('under load shows a row per node with its flow, the numbers moving, the failing node marked, and both charts drawn', async function () {
    await red.deploy(flows(server.url, bidiUrl));
    await openEditor(page, red.base);
    await page.evaluate((id) => RED.sidebar.show(id), live.LIVE_PLUGIN_ID);
    await page.waitForFunction(() => document.querySelectorAll('#sagemaker-live-content .sagemaker-live-row').length === 3);
    assert.equal(await page.locator('.sagemaker-live-empty').isVisible(), false);
    assert.equal((await row('inv1').locator('.sagemaker-live-name').innerText()).trim(), 'pump score');
    assert.equal((await row('inv2').locator('.sagemaker-live-name').innerText()).trim(), 'broken-model', 'no name: the endpoint');
    assert.equal((await row('bidi1').locator('.sagemaker-live-name').innerText()).trim(), 'pump stream');
    for (const id of ['inv1', 'inv2', 'bidi1']) assert.equal((await row(id).locator('.sagemaker-live-flow').innerText()).trim(), 'Sensors');

    // The numbers move: the rate of the last minute grows as the injects keep sending.
    const rate = () => row('inv1').locator('.sagemaker-live-rate').innerText();
    const first = await rate();
    await page.waitForFunction(([sel, was]) => document.querySelector(sel).textContent !== was,
      ['#sagemaker-live-content .sagemaker-live-row[data-node-id="inv1"] .sagemaker-live-rate', first], { timeout: 20000 });
    assert.match(await row('inv1').locator('.sagemaker-live-latency').innerText(), /^p50 \d+ ms · p99 \d+ ms$/);
    assert.match(await row('bidi1').locator('.sagemaker-live-backlog').innerText(), /1 stream open/);

    // The failing node: marked, its errors by name and count, the last error (redacted) on hover.
    await page.waitForFunction(() => document.querySelector('#sagemaker-live-content .sagemaker-live-row[data-node-id="inv2"].failing'));
    const errors = row('inv2').locator('.sagemaker-live-errors');
    assert.match(await errors.innerText(), /ModelError ×\d+/);
    assert.equal(await row('inv1').locator('.sagemaker-live-errors').count(), 0);
    const hover = await errors.getAttribute('title');
    assert.match(hover, /ModelError/);
    assert.match(hover, /tensor shape mismatch|Received server error/);
    assert.ok(!hover.includes(KEYS.secretAccessKey), 'the secret is redacted');

    // Both charts drawn from the history: a throughput area above the baseline, p50 and p99 lines.
    await page.waitForFunction(() => {
      const d = (sel) => (document.querySelector(sel) || { getAttribute: () => '' }).getAttribute('d') || '';
      const rises = (path) => path.split(/[ML]/).filter(Boolean).some((p) => Number(p.split(',')[1]) < 79);
      return rises(d('.sagemaker-live-throughput-chart path.messages')) && rises(d('.sagemaker-live-throughput-chart path.errors'))
        && rises(d('.sagemaker-live-latency-chart path.p50')) && rises(d('.sagemaker-live-latency-chart path.p99'));
    }, undefined, { timeout: 20000 });
    await sleep(3000); // a few seconds of history in the charts for the picture
    await screenshot(page.locator('#sagemaker-live-content'), shots, 'live-sidebar.png');
    await screenshot(page, shots, 'live-editor.png');
  });

  it('a click on a row shows its node: its flow opens and the node is revealed', async function () {
    await page.evaluate(() => RED.workspaces.show('tab2'));
    assert.equal(await page.evaluate(() => RED.workspaces.active()), 'tab2');
    await row('inv1').click();
    await page.waitForFunction(() => RED.workspaces.active() === 'tab1');
    assert.equal(await row('inv1').getAttribute('class').then((c) => /\bselected\b/.test(c)), true, 'the charts follow the row');
  });

  it('a node removed by a deploy leaves the list', async function () {
    const all = flows(server.url, bidiUrl).filter((n) => n.id !== 'inv2' && n.id !== 'in2' && n.id !== 'catch1');
    await red.deploy(all);
    await page.waitForFunction(() => document.querySelectorAll('#sagemaker-live-content .sagemaker-live-row').length === 2, undefined, { timeout: 20000 });
    assert.equal(await row('inv2').count(), 0);
  });

  it('ran without a script error or warning in the browser', function () {
    assert.deepEqual(pageErrors, []);
  });
});
