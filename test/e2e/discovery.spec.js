'use strict';
// Endpoint discovery (issue 21) as a person uses it, in headless Chromium against a real Node-RED (the packed
// package) and sagemaker-local's control plane (SigV4, awsJson1_1, ListEndpoints 10 to a page): Endpoint offers the
// account's endpoints with their status as the user types, from a deployed config node and from one only added in
// the dialog; every endpoint of more than one page; the line under Endpoint for a failed and an asynchronous
// endpoint with the mode to pick, following the mode as it changes; variants and inference components offered; a
// refused call named by its IAM action, the field still usable by hand; the same in the bidi node's dialog.
// Screenshots go to test-artifacts/screenshots/node-red-<major>/ (docs/invoke-dialog-discovery.png is the NR 4 one).
const assert = require('node:assert/strict');
const path = require('node:path');
const { KEYS } = require('../harness');
const { startLocalServer, validateConfig } = require('sagemaker-local');
const { artifacts, nodeRedMajor, installPacked, startNodeRed, freePort } = require('../node-red-process');
const {
  launch, openEditor, openNode, dragFromPalette, newEditorPage, recordReceived, fillConfigDialog, saveConfigDialog, saveNodeDialog, closeDialogs, typeInto, screenshot, openConfigDialog,
} = require('./browser');
const { dialogLayoutProblems } = require('./dialog-layout');
const names = require('../../dist/shared/names');
const { DISCOVERY_ENDPOINTS_ROUTE, DISCOVERY_ENDPOINT_ROUTE } = require('../../dist/shared/discovery');
const words = require('../../nodes/locales/en-US/sagemaker-invoke.json')['sagemaker-invoke'].discovery;

const userDir = path.join(artifacts, 'e2e-discovery-userdir');
const shots = path.join(artifacts, 'screenshots', `node-red-${nodeRedMajor}`);

// A second key pair of the same account, whose policy lacks sagemaker:ListEndpoints.
const LIMITED = { accessKeyId: 'AKIDTESTLIMITED0001', secretAccessKey: 'limited/secret+NOT-a-real-key-0001' };
const FAILURE = 'The primary container for production variant AllTraffic did not pass the ping health check.';
// 107 endpoints: more than one page of ListEndpoints, whether it is asked for its largest page (100) or its
// default (10). The last, by name and by creation (the server's default order), is on the last page.
const FILLERS = Array.from({ length: 101 }, (_, i) => `line-${String(i + 1).padStart(3, '0')}`);
const LAST = 'warehouse-zone-9';
const ENDPOINTS = {
  'sensor-anomaly': { model: 'demo' },
  'sensor-anomaly-async': { model: 'demo', async: { outputPath: 's3://my-bucket/async-output/', failurePath: 's3://my-bucket/async-failures/' } },
  'sensor-legacy': { model: 'demo', status: 'Failed', failureReason: FAILURE },
  'sensor-drift': { model: 'demo', status: 'Updating' },
  'llm-host': {
    model: 'demo',
    variants: [{ name: 'AllTraffic', instanceType: 'ml.g5.2xlarge', instanceCount: 2 }, { name: 'Canary', instanceType: 'ml.g5.xlarge', instanceCount: 1 }],
    inferenceComponents: [{ name: 'llama-chat', variant: 'AllTraffic' }, { name: 'mistral-summary', variant: 'Canary', status: 'Creating' }],
  },
  ...Object.fromEntries(FILLERS.map((name) => [name, { model: 'demo' }])),
  [LAST]: { model: 'demo' },
};

const SENSORS = Object.keys(ENDPOINTS).filter((name) => name.startsWith('sensor'));

/** The sentence `key` of the locale file's discovery section, with its parameters. */
const say = (key, params = {}) => words[key].replace(/__(\w+)__/g, (whole, name) => (name in params ? String(params[name]) : whole));

describe(`endpoint discovery in the edit dialogs, Node-RED ${require('node-red/package.json').version}`, function () {
  this.timeout(120000);
  let red;
  let local;
  let closedUrl; // a Control-plane URL where nothing listens
  const localLines = [];
  let browser;
  let page;
  const seen = []; // every response body and websocket frame the browser received
  const asked = []; // every discovery request the browser made: [route, body]
  const pageErrors = [];

  const config = (id, name, keys, apiEndpointUrl = local.url) => ({
    id, type: names.CONFIG_NODE_TYPE, name, region: 'us-east-1', endpointUrl: local.url, apiEndpointUrl, authMode: 'keys',
    maxAttempts: 1, retryMode: 'standard', timeout: 5000, credentials: { ...keys },
  });
  const invoke = (id, cfg, y) => ({ ...names.INVOKE_DEFAULTS, id, type: names.INVOKE_NODE_TYPE, z: 'tab1', config: cfg, x: 300, y, wires: [[]] });

  before(async function () {
    installPacked(userDir);
    local = await startLocalServer(
      validateConfig({ port: 0, credentials: [KEYS, { ...LIMITED, deny: ['sagemaker:ListEndpoints'] }], endpoints: ENDPOINTS, s3: { buckets: ['my-bucket'] }, log: true }),
      { log: (line) => localLines.push(line) },
    );
    closedUrl = `http://127.0.0.1:${await freePort()}`;
    red = await startNodeRed(userDir, {
      logName: `node-red-${nodeRedMajor}-e2e-discovery.log`,
      settings: { editorTheme: { tours: false, palette: { catalogues: [] } } },
    });
    await red.deploy([
      { id: 'tab1', type: 'tab', label: 'Discovery' },
      config('cfg1', 'production (us-east-1)', KEYS),
      config('cfg2', 'limited keys', LIMITED),
      invoke('inv1', 'cfg1', 80),
      invoke('inv2', 'cfg2', 160),
      config('cfg3', 'nothing there', KEYS, closedUrl),
      invoke('inv3', 'cfg3', 320),
      { ...names.BIDI_DEFAULTS, id: 'bidi1', type: names.BIDI_NODE_TYPE, z: 'tab1', config: 'cfg1', x: 300, y: 240, wires: [[]] },
    ]);
    browser = await launch();
    page = await newEditorPage(browser, pageErrors);
    page.on('request', (req) => {
      const route = [DISCOVERY_ENDPOINTS_ROUTE, DISCOVERY_ENDPOINT_ROUTE].find((r) => req.url().endsWith(`/${r}`));
      if (route) asked.push([route, JSON.parse(req.postData() || '{}')]);
    });
    recordReceived(page, seen);
    await openEditor(page, red.base);
  });

  after(async function () {
    if (browser) await browser.close();
    if (red) await red.stop();
    if (local) await local.close();
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await screenshot(page, shots, `failed-discovery-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}.png`);
  });

  beforeEach(async function () {
    if (page) {
      await page.keyboard.press('Escape'); // an offers list left open
      await closeDialogs(page);
    }
  });

  const tray = () => page.locator('.red-ui-tray').last();
  const offersList = () => page.locator('.red-ui-autoComplete-container');
  /** The offers shown: [name, detail] each. */
  const shownOffers = () => offersList().locator('li a').evaluateAll((links) => links.map((a) => [
    a.querySelector('.red-ui-autoComplete-completion').textContent,
    (a.querySelector('.red-ui-autoComplete-env-label') || { textContent: '' }).textContent,
  ]));
  /** Types into a field as a person does, key by key, and waits for the offers to be the ones `expected` names. */
  const typeForOffers = async (selector, text, expected) => {
    const field = page.locator(selector);
    await field.click();
    await field.press('Control+a');
    await field.press('Backspace');
    if (text) await page.keyboard.type(text, { delay: 20 });
    else await field.press('ArrowDown'); // minLength 0: the empty field offers everything
    await page.waitForFunction((want) => {
      const shown = [...document.querySelectorAll('.red-ui-autoComplete-container li a .red-ui-autoComplete-completion')].map((e) => e.textContent);
      return shown.length === want.length && want.every((w) => shown.includes(w));
    }, expected);
    return shownOffers();
  };
  /** Clicks the offer `name` in the open list. */
  const pick = async (name) => {
    await offersList().locator('li a', { has: page.locator('.red-ui-autoComplete-completion', { hasText: new RegExp(`^${name}$`) }) }).click();
    await offersList().waitFor({ state: 'detached' });
  };
  const line = (part) => tray().locator(`.sagemaker-discovery-${part}`);
  /** Waits until the line's `part` (summary, advice, problem) reads `text` (a string: exactly; a RegExp: matching). */
  const lineSays = async (part, text) => {
    const el = line(part);
    await page.waitForFunction(([sel, want, isRe]) => {
      const all = document.querySelectorAll(`.red-ui-tray .sagemaker-discovery-${sel}`);
      const node = all[all.length - 1];
      if (!node || node.offsetParent === null) return false;
      return isRe ? new RegExp(want).test(node.textContent) : node.textContent === want;
    }, [part, text instanceof RegExp ? text.source : text, text instanceof RegExp]);
    return el.innerText();
  };

  it('offers the endpoints of a deployed config node as you type, each with its status, and takes the one clicked', async function () {
    await openNode(page, 'inv1');
    assert.equal(await tray().locator('.sagemaker-discovery-row').isVisible(), false, 'nothing said before the fields are used');
    assert.deepEqual(asked, [], 'opening a node that names no endpoint asks the account nothing');
    const offered = await typeForOffers('#node-input-endpointName', 'SENSOR', SENSORS);
    assert.deepEqual(offered, [['sensor-anomaly', 'InService'], ['sensor-anomaly-async', 'InService'], ['sensor-drift', 'Updating'], ['sensor-legacy', 'Failed']],
      'case-insensitive, the status beside each');
    // The typed part shows in bold, as in core's completions.
    assert.equal(await offersList().locator('li a').first().locator('span').nth(0).innerText(), 'sensor');
    await page.keyboard.type('-anomaly-', { delay: 20 });
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-autoComplete-container li a').length === 1);
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-autoComplete-container li a').length === 2);
    await pick('sensor-anomaly');
    assert.equal(await page.locator('#node-input-endpointName').inputValue(), 'sensor-anomaly');
    assert.equal(await lineSays('summary', 'InService · variants: AllTraffic (ml.m5.large × 1)'), 'InService · variants: AllTraffic (ml.m5.large × 1)');
    assert.equal(await line('advice').isVisible(), false, 'mode invoke calls a real-time endpoint');
    assert.equal(await line('problem').isVisible(), false);
    // The button and the line lay out (the dialog's other rows are test/e2e/editor.spec.js's).
    const layout = await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child');
    assert.deepEqual(layout.filter((p) => /endpointName|label "Endpoint"|sagemaker-discovery/.test(p)), []);
    // One list for the dialog, narrowed in the browser while typing; the config node as deployed, its secret not sent.
    const lists = asked.filter(([r]) => r === DISCOVERY_ENDPOINTS_ROUTE);
    assert.equal(lists.length, 1, 'one fetch per config node');
    assert.equal(lists[0][1].config.id, 'cfg1');
    assert.equal(lists[0][1].config.apiEndpointUrl, local.url);
    assert.ok(!JSON.stringify(lists[0][1]).includes(KEYS.secretAccessKey), 'the editor never had the saved secret');
    await saveNodeDialog(page);
    assert.equal(await page.evaluate(() => RED.nodes.node('inv1').endpointName), 'sensor-anomaly');
  });

  it('sums up the endpoint a node already names as soon as its dialog opens, asking for that endpoint only', async function () {
    const before = asked.length;
    await openNode(page, 'inv1');
    assert.equal(await lineSays('summary', /^InService/), 'InService · variants: AllTraffic (ml.m5.large × 1)');
    const now = asked.slice(before);
    assert.deepEqual(now.map(([route]) => route), [DISCOVERY_ENDPOINT_ROUTE], 'one description, no list');
    assert.equal(now[0][1].endpointName, 'sensor-anomaly');
  });

  it('offers every endpoint, however many pages ListEndpoints takes, and one found only past the first page', async function () {
    const pagesBefore = localLines.filter((l) => /SageMaker\.ListEndpoints 200/.test(l)).length;
    await openNode(page, 'inv1');
    await page.locator('.sagemaker-discovery-refresh').click(); // asks the account again (past the runtime's cache)
    const all = await typeForOffers('#node-input-endpointName', '', Object.keys(ENDPOINTS));
    assert.equal(all.length, Object.keys(ENDPOINTS).length);
    const pages = localLines.filter((l) => /SageMaker\.ListEndpoints 200/.test(l)).length - pagesBefore;
    assert.ok(pages >= 2, `ListEndpoints was asked for more than one page (${pages}): ${localLines.slice(-5).join(' | ')}`);
    assert.equal(asked.filter(([r, b]) => r === DISCOVERY_ENDPOINTS_ROUTE && b.refresh === true).length, 1, 'the button asks with refresh');
    await typeForOffers('#node-input-endpointName', 'ZONE-9', [LAST]);
    await pick(LAST);
    assert.equal(await page.locator('#node-input-endpointName').inputValue(), LAST);
    await lineSays('summary', /^InService/);
  });

  it('sums up a failed endpoint with its FailureReason', async function () {
    await openNode(page, 'inv1');
    await typeForOffers('#node-input-endpointName', 'sensor', SENSORS);
    // The picture in the README: the offers open in the invoke dialog.
    await page.waitForTimeout(300); // the list's slide-down
    await screenshot(tray(), shots, 'invoke-dialog-discovery.png');
    await page.keyboard.type('-leg', { delay: 20 });
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-autoComplete-container li a').length === 1);
    assert.deepEqual(await shownOffers(), [['sensor-legacy', 'Failed']]);
    await pick('sensor-legacy');
    assert.match(await lineSays('summary', /^Failed: /), new RegExp(`^Failed: ${FAILURE.replace(/\./g, '\\.')}`));
  });

  it('names the mode an asynchronous endpoint needs, and the modes a real-time one needs, following the mode as it changes', async function () {
    await openNode(page, 'inv1');
    await typeForOffers('#node-input-endpointName', 'async', ['sensor-anomaly-async']);
    await pick('sensor-anomaly-async');
    assert.match(await lineSays('summary', /asynchronous/), /^InService · variants: AllTraffic \(ml\.m5\.large × 1\) · asynchronous$/);
    assert.equal(await lineSays('advice', /choose mode async/), say('adviceAsync', { mode: 'invoke', pick: 'async' }));
    await tray().locator('#node-input-mode').selectOption('stream');
    assert.equal(await lineSays('advice', /mode stream/), say('adviceAsync', { mode: 'stream', pick: 'async' }));
    await tray().locator('#node-input-mode').selectOption('async');
    await page.waitForFunction(() => document.querySelector('.red-ui-tray .sagemaker-discovery-advice').offsetParent === null);
    // A typed name (Tab leaves the field) is summed up as a picked one; mode async on a real-time endpoint.
    await typeInto(page, '#node-input-endpointName', 'sensor-anomaly');
    assert.equal(await lineSays('advice', /choose mode invoke or stream/), say('adviceRealtime', { mode: 'async', pick: 'invoke', or: 'stream' }));
    await tray().locator('#node-input-mode').selectOption('invoke');
    await page.waitForFunction(() => document.querySelector('.red-ui-tray .sagemaker-discovery-advice').offsetParent === null);
    await screenshot(tray(), shots, 'invoke-dialog-discovery-summary.png');
  });

  it('offers the chosen endpoint\'s variants with their instance type, and its inference components with their status', async function () {
    await openNode(page, 'inv1');
    await typeForOffers('#node-input-endpointName', 'llm', ['llm-host']);
    await pick('llm-host');
    assert.equal(await lineSays('summary', /inference components/),
      'InService · variants: AllTraffic (ml.g5.2xlarge × 2), Canary (ml.g5.xlarge × 1) · inference components: llama-chat (InService), mistral-summary (Creating)',
      'the components by name, as the endpoints are');
    await tray().locator('#sagemaker-invoke-advanced-toggle').click();
    assert.deepEqual(await typeForOffers('#node-input-targetVariant', '', ['AllTraffic', 'Canary']), [['AllTraffic', 'ml.g5.2xlarge'], ['Canary', 'ml.g5.xlarge']]);
    assert.deepEqual(await typeForOffers('#node-input-targetVariant', 'CAN', ['Canary']), [['Canary', 'ml.g5.xlarge']]);
    await pick('Canary');
    assert.deepEqual(await typeForOffers('#node-input-inferenceComponentName', '', ['llama-chat', 'mistral-summary']), [['llama-chat', 'InService'], ['mistral-summary', 'Creating']]);
    await pick('mistral-summary');
    await saveNodeDialog(page);
    assert.deepEqual(await page.evaluate(() => { const n = RED.nodes.node('inv1'); return [n.endpointName, n.targetVariant, n.inferenceComponentName]; }),
      ['llm-host', 'Canary', 'mistral-summary']);
  });

  it('offers the endpoints of a config node only added in the dialog, with the keys typed there, before any deploy', async function () {
    const id = await dragFromPalette(page, names.INVOKE_NODE_TYPE, 300, 340);
    await openNode(page, id);
    await openConfigDialog(page, 'add');
    await fillConfigDialog(page, { name: 'typed here', region: 'us-east-1', endpointUrl: local.url, apiEndpointUrl: local.url }, KEYS);
    await saveConfigDialog(page);
    const configId = await page.locator('#node-input-config').inputValue();
    assert.ok(!['cfg1', 'cfg2', '_ADD_'].includes(configId), 'a new config node is chosen');
    await typeForOffers('#node-input-endpointName', 'sensor', SENSORS);
    await pick('sensor-anomaly-async');
    await lineSays('summary', /asynchronous/);
    // The request carried the config node as it stands in the dialog, with the keys typed there: Node-RED's
    // runtime has never seen this config node.
    const sent = asked.filter(([r, b]) => r === DISCOVERY_ENDPOINTS_ROUTE && b.config.id === configId);
    assert.equal(sent.length, 1);
    assert.equal(sent[0][1].config.name, 'typed here');
    assert.deepEqual(sent[0][1].credentials, { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey });
    assert.equal(await page.evaluate(() => RED.nodes.dirty()), true, 'nothing deployed');
    await saveNodeDialog(page);
  });

  it('names the refused IAM action under the field, and the field still works by hand, saved and deployable', async function () {
    await openNode(page, 'inv2');
    const field = page.locator('#node-input-endpointName');
    await field.click();
    const refused = await lineSays('problem', /sagemaker:ListEndpoints/);
    assert.equal(refused, say('denied', { action: 'sagemaker:ListEndpoints' }));
    assert.equal(await offersList().count(), 0, 'no offers');
    // By hand: typed, and, since DescribeEndpoint is allowed, summed up; the refusal stays in view.
    await typeInto(page, '#node-input-endpointName', 'sensor-anomaly');
    await lineSays('summary', /^InService/);
    assert.match(await line('problem').innerText(), /sagemaker:ListEndpoints/);
    await screenshot(tray(), shots, 'invoke-dialog-discovery-denied.png');
    await saveNodeDialog(page);
    assert.deepEqual(await page.evaluate(() => { const n = RED.nodes.node('inv2'); return [n.endpointName, n.valid]; }), ['sensor-anomaly', true]);
  });

  it('names the URL it could not reach under the field', async function () {
    await openNode(page, 'inv3');
    await page.locator('#node-input-endpointName').click();
    const text = await lineSays('problem', /Could not reach/);
    assert.ok(text.startsWith(`Could not reach the SageMaker API at ${closedUrl}`), text);
    assert.match(text, /the fields still work typed by hand/);
    await screenshot(tray(), shots, 'invoke-dialog-discovery-unreachable.png');
  });

  it('in the bidi node\'s dialog: offers endpoints and variants, and names an asynchronous endpoint as one a stream cannot call', async function () {
    await openNode(page, 'bidi1');
    await typeForOffers('#node-input-endpointName', 'sensor', SENSORS);
    await pick('sensor-anomaly-async');
    assert.equal(await lineSays('advice', /bidirectional stream/), say('adviceBidiAsync'));
    await typeForOffers('#node-input-endpointName', 'llm', ['llm-host']);
    await pick('llm-host');
    await lineSays('summary', /Canary/);
    assert.equal(await line('advice').isVisible(), false);
    assert.deepEqual(await typeForOffers('#node-input-targetVariant', '', ['AllTraffic', 'Canary']), [['AllTraffic', 'ml.g5.2xlarge'], ['Canary', 'ml.g5.xlarge']]);
    await pick('AllTraffic');
    // The rows discovery adds lay out (the dialog's other rows are test/e2e/bidi.spec.js's).
    const layout = await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child');
    assert.deepEqual(layout.filter((p) => /endpointName|label "Endpoint"|sagemaker-discovery|targetVariant|label "Variant"/.test(p)), []);
    await saveNodeDialog(page);
    assert.deepEqual(await page.evaluate(() => { const n = RED.nodes.node('bidi1'); return [n.endpointName, n.targetVariant]; }), ['llm-host', 'AllTraffic']);
  });

  it('never sent a secret to the browser, and ran without a script error (a refused call\'s status aside)', function () {
    for (const secret of [KEYS.secretAccessKey, LIMITED.secretAccessKey]) {
      assert.equal(seen.filter((s) => s.body.includes(secret)).map((s) => s.url).length, 0, 'no response or frame holds a secret');
    }
    // Chromium logs every non-2xx answer as "Failed to load resource": the refusal of ListEndpoints is one.
    const failedRoutes = seen.filter((s) => s.status >= 400).map((s) => s.url);
    assert.ok(failedRoutes.every((u) => u.endsWith(DISCOVERY_ENDPOINTS_ROUTE) || u.endsWith(DISCOVERY_ENDPOINT_ROUTE)), failedRoutes.join(', '));
    assert.deepEqual(pageErrors, []);
  });
});
