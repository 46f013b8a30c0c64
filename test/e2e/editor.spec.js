'use strict';
// The editor as a person uses it, in headless Chromium against a real Node-RED (the packed package, as
// test/package.spec.js installs it) and the wire-true SageMaker test server: the palette, dragging a node in, both
// edit dialogs with their fields, labels and defaults, invalid values marked, the secret as a password field that
// never comes back to the browser, the help sidebar, and every shipped example imported, deployed and run with
// its answer in the debug sidebar. Screenshots go to test-artifacts/screenshots/node-red-<major>/.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, KEYS } = require('../harness');
const { startLocalServer, validateConfig } = require('sagemaker-local');
const { root, artifacts, nodeRedMajor, installPacked, startNodeRed } = require('../node-red-process');
const {
  launch, openEditor, dragFromPalette, nodeOnCanvas, openNode, typeInto, deployFromEditor, expandDebugMessage, importExample, showSidebar, screenshot,
  newEditorPage, recordReceived, assertDialogFields, fillConfigDialog, saveConfigDialog, saveNodeDialog, closeDialogs, openConfigDialog,
} = require('./browser');
const names = require('../../dist/shared/names');
const { dialogLayoutProblems } = require('./dialog-layout');

const userDir = path.join(artifacts, 'e2e-userdir');
const shots = path.join(artifacts, 'screenshots', `node-red-${nodeRedMajor}`);
const invokeText = require('../../nodes/locales/en-US/sagemaker-invoke.json')['sagemaker-invoke'];
const configText = require('../../nodes/locales/en-US/sagemaker-config.json')['sagemaker-config'];
const nodeRedVersion = require('node-red/package.json').version;

// What the test server's endpoints answer: the examples call my-json-model, my-xgboost-endpoint, my-llm (streamed)
// and my-async-model (asynchronous).
const ENDPOINTS = {
  'my-json-model': (req) => ({
    body: JSON.stringify({ predictions: [{ failure_risk: 0.87, got: Object.keys(JSON.parse(req.body.toString()).instances[0]).length }] }),
    contentType: 'application/json',
  }),
  'my-xgboost-endpoint': (req) => ({ body: req.body.toString().split('\n').map(() => '0.25').join('\n'), contentType: 'text/csv' }),
  'my-llm': () => ({ contentType: 'text/plain', stream: [{ part: 'A bearing ' }, { part: 'overheats when ' }, { part: 'it runs dry.' }] }),
  'my-async-model': () => ({ accepted: true }),
};

describe(`the editor in a browser, Node-RED ${nodeRedVersion}`, function () {
  this.timeout(120000);
  let red;
  let server;
  let local; // sagemaker-local, for the example that waits for async results in S3
  const localLines = [];
  let browser;
  let page;
  const seen = []; // every response body and websocket frame the browser received
  const pageErrors = [];

  before(async function () {
    fs.rmSync(shots, { recursive: true, force: true });
    installPacked(userDir);
    server = await startServer(ENDPOINTS);
    local = await startLocalServer(
      validateConfig({
        port: 0,
        credentials: [KEYS],
        endpoints: { 'my-async-model': { model: 'demo', async: { outputPath: 's3://my-bucket/async-output/', failurePath: 's3://my-bucket/async-failures/', delayMs: 500 } } },
        s3: { buckets: ['my-bucket'] },
        log: true,
      }),
      { log: (line) => localLines.push(line) },
    );
    red = await startNodeRed(userDir, {
      logName: `node-red-${nodeRedMajor}-e2e.log`,
      // No palette catalogue: the editor would fetch it from the internet.
      settings: { editorTheme: { tours: false, palette: { catalogues: [] } } },
    });
    browser = await launch();
    page = await newEditorPage(browser, pageErrors);
    recordReceived(page, seen);
    await openEditor(page, red.base);
  });

  after(async function () {
    if (browser) await browser.close();
    if (red) await red.stop();
    if (server) await server.close();
    if (local) await local.close();
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await screenshot(page, shots, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}.png`);
  });

  // Each test starts at the workspace with no dialog open, whatever the one before left (or failed in the middle of):
  // a test that needs a dialog opens it itself, so it never inherits half-typed values.
  beforeEach(async function () {
    if (page) await closeDialogs(page);
  });

  let invokeId;
  let configId;

  /** Opens the invoke node's dialog afresh, with its advanced fields shown when asked. */
  const openInvokeDialog = async ({ advanced = false } = {}) => {
    assert.ok(invokeId, 'the invoke node was dragged in');
    await openNode(page, invokeId);
    const tray = page.locator('.red-ui-tray').last();
    if (advanced && !(await tray.locator('#node-input-customAttributes').isVisible())) await tray.locator('#sagemaker-invoke-advanced-toggle').click();
    return tray;
  };

  it('shows sagemaker invoke in the palette under AWS with its icon and label; the config node registers as a config node', async function () {
    const category = page.locator(`#red-ui-palette-container-${names.PALETTE_CATEGORY}`);
    await category.scrollIntoViewIfNeeded();
    assert.equal((await category.locator('.red-ui-palette-header').innerText()).trim(), names.PALETTE_CATEGORY);
    const item = category.locator(`.red-ui-palette-node[data-palette-type="${names.INVOKE_NODE_TYPE}"]`);
    assert.equal(await item.count(), 1);
    assert.equal(await item.getAttribute('data-palette-label'), invokeText.paletteLabel);
    assert.equal((await item.locator('.red-ui-palette-label').innerText()).replace(/\s+/g, ' ').trim(), invokeText.paletteLabel);
    const icon = await item.locator('.red-ui-palette-icon').evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(icon, new RegExp(`icons/${names.MODULE_NAME}/sagemaker\\.svg`));
    const loaded = await page.evaluate((src) => new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img.naturalWidth > 0);
      img.onerror = () => resolve(false);
      img.src = src;
    }), `icons/${names.MODULE_NAME}/sagemaker.svg`);
    assert.ok(loaded, 'the icon loads');
    // A config node never shows in the palette: Node-RED lists it in the Configuration nodes sidebar instead.
    assert.equal(await page.evaluate((t) => RED.nodes.getType(t).category, names.CONFIG_NODE_TYPE), 'config');
    assert.equal(await page.locator(`.red-ui-palette-node[data-palette-type="${names.CONFIG_NODE_TYPE}"]`).count(), 0);
    await screenshot(category, shots, 'palette.png');
  });

  it('registers each node with the type, category and properties that the public names define', async function () {
    const defs = await page.evaluate((types) => types.map((t) => {
      const d = RED.nodes.getType(t);
      return { category: d.category, defaults: Object.keys(d.defaults), credentials: Object.keys(d.credentials || {}) };
    }), [names.INVOKE_NODE_TYPE, names.CONFIG_NODE_TYPE]);
    assert.deepEqual(defs[0], { category: names.PALETTE_CATEGORY, defaults: Object.keys(names.INVOKE_DEFAULTS), credentials: [] });
    assert.deepEqual(defs[1], { category: 'config', defaults: Object.keys(names.CONFIG_DEFAULTS), credentials: Object.keys(names.CONFIG_CREDENTIALS) });
  });

  it('opens a node dragged from the palette in a dialog with every field, its label and its default', async function () {
    invokeId = await dragFromPalette(page, names.INVOKE_NODE_TYPE, 300, 160);
    await openNode(page, invokeId);
    const tray = page.locator('.red-ui-tray').last();
    // Every default is a field in the dialog, labelled with the words from the locale file.
    await assertDialogFields(tray, names.INVOKE_DEFAULTS, invokeText);
    // The advanced fields start folded away, and the toggle shows them.
    assert.equal(await tray.locator('#node-input-customAttributes').isVisible(), false);
    await tray.locator('#sagemaker-invoke-advanced-toggle').click();
    assert.equal(await tray.locator('#node-input-customAttributes').isVisible(), true);
    assert.deepEqual(await tray.locator('#node-input-output option').evaluateAll((os) => os.map((o) => o.value)), names.OUTPUT_MODES);
    // No config node yet: the select offers to add one.
    assert.equal(await tray.locator('#node-input-config').inputValue(), '_ADD_');
    await screenshot(page, shots, 'invoke-dialog.png');
  });

  it('lays out the invoke dialog at its default width: no label wraps or overlaps its field, no text is cut off', async function () {
    const tray = await openInvokeDialog({ advanced: true });
    // Every group shown: the advanced fields (opened above) and the batch settings of a JSON batch.
    assert.equal(await tray.locator('#node-input-customAttributes').isVisible(), true);
    await typeInto(page, '#node-input-batchSize', '16');
    await tray.locator('#node-input-batchFormat').selectOption('json');
    assert.equal(await tray.locator('#node-input-batchKey').isVisible(), true);
    assert.deepEqual(await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child'), []);
    await tray.locator('#node-input-batchFormat').selectOption(names.INVOKE_DEFAULTS.batchFormat);
    await typeInto(page, '#node-input-batchSize', String(names.INVOKE_DEFAULTS.batchSize));
  });

  it('shows the batching fields in invoke mode only, the batch settings only when batching, and checks them together', async function () {
    const tray = await openInvokeDialog({ advanced: true });
    const visible = async (key) => tray.locator(`#node-input-${key}`).isVisible();
    const invalid = async (key) => /\binput-error\b/.test(await tray.locator(`#node-input-${key}`).getAttribute('class') || '');
    // Batch size 1 is no batching: only the size shows, with the tip.
    assert.equal(await visible('batchSize'), true);
    for (const key of ['batchWindow', 'batchFormat', 'batchKey']) assert.equal(await visible(key), false, `${key} hidden with batch size 1`);
    assert.match(await tray.locator('#sagemaker-invoke-batching').innerText(), new RegExp(invokeText.label.batching));
    assert.deepEqual(await tray.locator('#node-input-batchFormat option').evaluateAll((os) => os.map((o) => [o.value, o.textContent])),
      names.BATCH_FORMATS.map((f) => [f, invokeText.batchFormat[f]]));
    await typeInto(page, '#node-input-batchSize', '16');
    assert.equal(await visible('batchWindow'), true);
    assert.equal(await visible('batchFormat'), true);
    assert.equal(await visible('batchKey'), false, 'the key is for a json batch only');
    await tray.locator('#node-input-batchFormat').selectOption('json');
    assert.equal(await visible('batchKey'), true);
    await typeInto(page, '#node-input-batchKey', ' instances');
    assert.equal(await invalid('batchKey'), true, 'a key that starts with a space');
    await typeInto(page, '#node-input-batchKey', 'instances');
    assert.equal(await invalid('batchKey'), false);
    await typeInto(page, '#node-input-batchSize', '0');
    assert.equal(await invalid('batchSize'), true, 'below 1');
    await typeInto(page, '#node-input-batchSize', '16');
    assert.equal(await invalid('batchSize'), false);
    // The rules that tie batching to other fields mark the other field as soon as it, or the batch size, changes.
    await tray.locator('#node-input-output').selectOption('buffer');
    assert.equal(await invalid('output'), true, 'a buffer cannot be split per message');
    await tray.locator('#node-input-output').selectOption('auto');
    assert.equal(await invalid('output'), false);
    await typeInto(page, '#node-input-maxQueue', '8');
    assert.equal(await invalid('maxQueue'), true, 'the queue holds at least one batch');
    await typeInto(page, '#node-input-batchSize', '8');
    assert.equal(await invalid('maxQueue'), false);
    // The picture in the README: a JSON batch of up to 32 for a TensorFlow Serving style model, the default queue.
    await typeInto(page, '#node-input-maxQueue', String(names.INVOKE_DEFAULTS.maxQueue));
    await typeInto(page, '#node-input-batchSize', '32');
    await tray.locator('#sagemaker-invoke-batching').scrollIntoViewIfNeeded();
    await screenshot(page, shots, 'invoke-dialog-batching.png');
    // Stream and async modes cannot batch: the whole group hides.
    await tray.locator('#node-input-mode').selectOption('stream');
    for (const key of ['batchSize', 'batchWindow', 'batchFormat', 'batchKey']) assert.equal(await visible(key), false, `${key} hidden in stream mode`);
    assert.equal(await tray.locator('#sagemaker-invoke-batching').isVisible(), false);
    // Split's choices (lines: newlines, or the events of a text/event-stream) show whole.
    assert.deepEqual(await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child'), [], 'the stream rows lay out');
    await tray.locator('#node-input-mode').selectOption('invoke');
    assert.equal(await visible('batchKey'), true);
    // Back to the defaults for the tests that follow.
    await typeInto(page, '#node-input-batchKey', '');
    await tray.locator('#node-input-batchFormat').selectOption(names.INVOKE_DEFAULTS.batchFormat);
    await typeInto(page, '#node-input-batchSize', String(names.INVOKE_DEFAULTS.batchSize));
    assert.equal(await visible('batchWindow'), false);
  });

  it('shows the async result rows in async mode only, the waiting ones only with Result wait, and checks them', async function () {
    const tray = await openInvokeDialog({ advanced: true });
    const visible = async (key) => tray.locator(`#node-input-${key}`).isVisible();
    const invalid = async (key) => /\binput-error\b/.test(await tray.locator(`#node-input-${key}`).getAttribute('class') || '');
    for (const key of ['asyncResult', 'asyncTimeout', 'maxWaiting', 'inputS3Uri']) assert.equal(await visible(key), false, `${key} hidden in invoke mode`);
    await tray.locator('#node-input-mode').selectOption('async');
    assert.equal(await visible('asyncResult'), true);
    assert.equal(await visible('inputS3Uri'), true);
    assert.equal(await visible('asyncTimeout'), false, 'the wait is for Result wait only');
    assert.deepEqual(await tray.locator('#node-input-asyncResult option').evaluateAll((os) => os.map((o) => [o.value, o.textContent])),
      names.ASYNC_RESULTS.map((r) => [r, invokeText.asyncResult[r]]));
    await tray.locator('#node-input-asyncResult').selectOption('wait');
    assert.equal(await visible('asyncTimeout'), true);
    assert.equal(await visible('maxWaiting'), true);
    assert.equal(await tray.locator('#node-input-maxWaiting').inputValue(), String(names.INVOKE_DEFAULTS.maxWaiting));
    await typeInto(page, '#node-input-inputS3Uri', 'my-bucket/in');
    assert.equal(await invalid('inputS3Uri'), true, 'not an s3:// URI');
    await typeInto(page, '#node-input-inputS3Uri', 's3://my-bucket/in/');
    assert.equal(await invalid('inputS3Uri'), false);
    await typeInto(page, '#node-input-asyncTimeout', '1.5');
    assert.equal(await invalid('asyncTimeout'), true);
    await typeInto(page, '#node-input-asyncTimeout', '600');
    assert.equal(await invalid('asyncTimeout'), false);
    assert.deepEqual(await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child'), [], 'the async rows lay out');
    // Back to the defaults for the tests that follow.
    await typeInto(page, '#node-input-asyncTimeout', '');
    await typeInto(page, '#node-input-inputS3Uri', '');
    await tray.locator('#node-input-asyncResult').selectOption(names.INVOKE_DEFAULTS.asyncResult);
    await tray.locator('#node-input-mode').selectOption('invoke');
    assert.equal(await visible('asyncResult'), false);
  });

  it('marks a bad endpoint name and over-long custom attributes invalid, and the node as not configured', async function () {
    const tray = await openInvokeDialog({ advanced: true });
    await typeInto(page, '#node-input-endpointName', 'my_model!');
    await typeInto(page, '#node-input-customAttributes', 'a'.repeat(1025));
    assert.match(await tray.locator('#node-input-endpointName').getAttribute('class'), /\binput-error\b/);
    assert.match(await tray.locator('#node-input-customAttributes').getAttribute('class'), /\binput-error\b/);
    await typeInto(page, '#node-input-customAttributes', 'a'.repeat(1024));
    assert.doesNotMatch(await tray.locator('#node-input-customAttributes').getAttribute('class') || '', /\binput-error\b/);
    await saveNodeDialog(page);
    const state = await page.evaluate((id) => { const n = RED.nodes.node(id); return { valid: n.valid, errors: n.validationErrors }; }, invokeId);
    assert.equal(state.valid, false);
    // The node's tooltip lists the messages; each names its field by its label.
    const endpointError = state.errors.find((e) => e.startsWith(`${invokeText.label.endpointName}: `));
    assert.match(endpointError || '', /letters, digits and hyphens/, `among ${state.errors}`);
    assert.ok(!state.errors.some((e) => e.startsWith(`${invokeText.label.customAttributes}:`)), '1024 characters are allowed');
    // The red triangle on the node in the workspace.
    await nodeOnCanvas(page, invokeId).locator('.red-ui-flow-node-error:not(.hide)').waitFor({ state: 'visible' });
  });

  it('adds a config node whose dialog shows each field, the secret as a password field, and marks a bad region', async function () {
    await openNode(page, invokeId);
    await typeInto(page, '#node-input-endpointName', 'my-json-model');
    const tray = await openConfigDialog(page, 'add');
    for (const [key, value] of Object.entries(names.CONFIG_DEFAULTS)) {
      const input = tray.locator(`#node-config-input-${key}`);
      assert.equal(await input.count(), 1, `${key} has a field`);
      // proxy, tls and iotTls select core config nodes: with none yet, their select offers to add one
      const shown = ['proxy', 'tls', 'iotTls'].includes(key) ? (value === '' ? '_ADD_' : String(value)) : String(value);
      assert.equal(await input.inputValue(), shown, `${key} defaults to ${JSON.stringify(value)}`);
      assert.equal((await tray.locator(`label[for="node-config-input-${key}"]`).innerText()).trim(), configText.label[key], `${key}'s label`);
    }
    for (const [key, { type }] of Object.entries(names.CONFIG_CREDENTIALS)) {
      assert.equal(await tray.locator(`#node-config-input-${key}`).getAttribute('type'), type, `${key} is a ${type} field`);
    }
    // Only the chosen credentials mode's fields are shown.
    assert.equal(await tray.locator('#node-config-input-profile').isVisible(), false);
    await tray.locator('#node-config-input-authMode').selectOption('profile');
    assert.equal(await tray.locator('#node-config-input-profile').isVisible(), true);
    assert.equal(await tray.locator('#node-config-input-secretAccessKey').isVisible(), false);
    await tray.locator('#node-config-input-authMode').selectOption('keys');

    await typeInto(page, '#node-config-input-region', 'Not a region');
    assert.match(await tray.locator('#node-config-input-region').getAttribute('class'), /\binput-error\b/);
    await typeInto(page, '#node-config-input-region', 'us-east-1');
    assert.doesNotMatch(await tray.locator('#node-config-input-region').getAttribute('class') || '', /\binput-error\b/);
    await typeInto(page, '#node-config-input-endpointUrl', server.url);
    await typeInto(page, '#node-config-input-accessKeyId', KEYS.accessKeyId);
    await typeInto(page, '#node-config-input-secretAccessKey', KEYS.secretAccessKey);
    await typeInto(page, '#node-config-input-name', 'test server');
    await screenshot(page, shots, 'config-dialog.png');
    await saveConfigDialog(page);
    configId = await page.locator('#node-input-config').inputValue();
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).type, configId), names.CONFIG_NODE_TYPE);
    await saveNodeDialog(page);
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).valid, invokeId), true, 'valid once fixed');
    await nodeOnCanvas(page, invokeId).locator('.red-ui-flow-node-error.hide').waitFor({ state: 'attached' });
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).valid, configId), true);

    // A bad region makes the config node, and so the invoke node using it, not configured.
    await openNode(page, invokeId);
    await openConfigDialog(page);
    await typeInto(page, '#node-config-input-region', 'Mars');
    await saveConfigDialog(page);
    await saveNodeDialog(page);
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).valid, configId), false);
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).valid, invokeId), false);
    await nodeOnCanvas(page, invokeId).locator('.red-ui-flow-node-error:not(.hide)').waitFor({ state: 'visible' });
    await openNode(page, invokeId);
    await openConfigDialog(page);
    await typeInto(page, '#node-config-input-region', 'us-east-1');
    await saveConfigDialog(page);
    await saveNodeDialog(page);
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).valid, invokeId), true);
  });

  it('lays out the config dialog at its default width in each credentials mode, with a role and with proxy and TLS ticked', async function () {
    await openNode(page, invokeId);
    const tray = await openConfigDialog(page);
    const problems = () => page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child');
    assert.deepEqual(await problems(), [], 'access keys');
    for (const mode of ['profile', 'chain', 'iot']) {
      await tray.locator('#node-config-input-authMode').selectOption(mode);
      assert.deepEqual(await problems(), [], mode);
    }
    await tray.locator('#node-config-input-authMode').selectOption('keys');
    await typeInto(page, '#node-config-input-roleArn', 'arn:aws:iam::123456789012:role/sagemaker-caller');
    assert.equal(await tray.locator('#node-config-input-roleSessionName').isVisible(), true);
    await tray.locator('#node-config-input-useProxy').check();
    await tray.locator('#node-config-input-useTls').check();
    assert.deepEqual(await problems(), [], 'role, proxy and TLS shown');
    await tray.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-input-region').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('.red-ui-tray').waitFor({ state: 'detached' });
  });

  it('offers proxy and TLS as unticked boxes; a box reveals its selector; a saved proxy shows ticked; unticking saves none', async function () {
    const openConfig = async () => {
      await openNode(page, invokeId);
      await openConfigDialog(page);
      await page.waitForFunction(() => !window.$('.red-ui-tray').is(':animated'));
      return page.locator('.red-ui-tray').last();
    };
    const closeConfig = async (button) => {
      await page.locator(`#node-config-dialog-${button}`).click();
      await page.locator('#node-config-input-region').waitFor({ state: 'detached' });
      await saveNodeDialog(page);
    };
    let tray = await openConfig();
    for (const [box, key] of [['useProxy', 'proxy'], ['useTls', 'tls']]) {
      assert.equal(await tray.locator(`#node-config-input-${box}`).isChecked(), false, `${box} unticked`);
      assert.equal(await tray.locator(`label[for="node-config-input-${box}"]`).innerText(), configText.label[box]);
      assert.equal(await tray.locator(`#node-config-input-${key}`).isVisible(), false, `no ${key} selector while unticked`);
      // check() clicks and waits until the box is ticked (a click while the tray still slides in can miss it).
      await tray.locator(`#node-config-input-${box}`).check();
      assert.equal(await tray.locator(`#node-config-input-${key}`).isVisible(), true, `the ${key} selector once ticked`);
    }
    assert.equal(await tray.locator('.sagemaker-config-no-proxy').isVisible(), false, 'the no-proxy tip goes with the box');
    await closeConfig('cancel');

    // A flow saved with a proxy node (as every earlier version saved it): the box shows ticked, with that node.
    await page.evaluate((id) => {
      RED.nodes.import([{ id: 'e2eproxy00000001', type: 'http proxy', name: 'corporate proxy', url: 'http://proxy.example:3128', noproxy: [] }]);
      RED.nodes.node(id).proxy = 'e2eproxy00000001';
    }, configId);
    tray = await openConfig();
    assert.equal(await tray.locator('#node-config-input-useProxy').isChecked(), true);
    assert.equal(await tray.locator('#node-config-input-proxy').isVisible(), true);
    assert.equal(await tray.locator('#node-config-input-proxy').inputValue(), 'e2eproxy00000001');
    assert.equal(await tray.locator('#node-config-input-useTls').isChecked(), false);
    // Unticking it and saving removes the proxy from the config node.
    await tray.locator('#node-config-input-useProxy').uncheck();
    await closeConfig('ok');
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).proxy, configId), '');
    assert.equal(await page.evaluate((id) => RED.nodes.node(id).tls, configId), '');
    await page.evaluate(() => RED.nodes.remove('e2eproxy00000001'));
  });

  it('after a deploy and a reload, never sends the stored secret back to the browser', async function () {
    await deployFromEditor(page);
    const flowsFile = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    assert.match(flowsFile, new RegExp(configId));
    assert.ok(!flowsFile.includes(KEYS.secretAccessKey));
    await openEditor(page, red.base);
    await openNode(page, invokeId);
    await openConfigDialog(page);
    const secret = page.locator('#node-config-input-secretAccessKey');
    await secret.waitFor();
    // Node-RED shows a stored password as a placeholder value, not the secret.
    assert.notEqual(await secret.inputValue(), KEYS.secretAccessKey);
    assert.equal(await page.locator('#node-config-input-accessKeyId').inputValue(), KEYS.accessKeyId);
    const creds = seen.filter((r) => r.url.includes(`/credentials/${names.CONFIG_NODE_TYPE}/${configId}`));
    assert.ok(creds.length >= 1, 'the dialog asked for the credentials');
    assert.deepEqual(JSON.parse(creds[creds.length - 1].body), { accessKeyId: KEYS.accessKeyId, has_secretAccessKey: true, has_sessionToken: false });
    assert.ok(!(await page.content()).includes(KEYS.secretAccessKey), 'not in the page');
    assert.deepEqual(seen.filter((r) => r.body.includes(KEYS.secretAccessKey)).map((r) => r.url), [], 'in no response and no websocket frame');
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-input-region').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('.red-ui-tray').waitFor({ state: 'detached' });
  });

  it('shows the node help with its Inputs, Outputs and Details sections in the help sidebar', async function () {
    await page.evaluate((id) => RED.view.select(id), invokeId);
    await showSidebar(page, 'h');
    const help = page.locator('.red-ui-help', { has: page.locator('h1.red-ui-help-title', { hasText: invokeText.paletteLabel }) });
    await help.locator('h3', { hasText: 'Inputs' }).waitFor();
    const headings = (await help.locator('h3').allInnerTexts()).map((h) => h.trim());
    for (const h of ['Inputs', 'Outputs', 'Details', 'References']) assert.ok(headings.includes(h), `${h} in ${headings}`);
    assert.match(await help.innerText(), /msg\.sagemaker/);
  });

  // The examples of the invoke node (the bidi node's run in test/e2e/bidi.spec.js, against the HTTP/2 server).
  const examples = fs.readdirSync(path.join(root, 'examples'))
    .filter((f) => f.endsWith('.json') && fs.readFileSync(path.join(root, 'examples', f), 'utf8').includes('"sagemaker-invoke"'))
    .sort();
  for (const file of examples) {
    it(`imports the example "${file}", deploys it, and runs it`, async function () {
      // Start from an empty workspace, as a new user would.
      await red.deploy([{ id: 'e2etab', type: 'tab', label: 'Flow 1' }]);
      await openEditor(page, red.base);
      await importExample(page, names.MODULE_NAME, file.replace(/\.json$/, ''));
      const expected = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
      // The editor adds the imported nodes as it places them: wait for the work, then check every type is there.
      const types = [...new Set(expected.map((n) => n.type))];
      await page.waitForFunction((want) => {
        const all = new Set();
        RED.nodes.eachNode((n) => all.add(n.type));
        RED.nodes.eachConfig((n) => all.add(n.type));
        return want.every((t) => all.has(t));
      }, types).catch(() => undefined);
      const imported = await page.evaluate(() => { const all = []; RED.nodes.eachNode((n) => all.push(n.type)); RED.nodes.eachConfig((n) => all.push(n.type)); return all; });
      for (const n of expected) assert.ok(imported.includes(n.type), `${n.type} imported`);

      // Point the example's config node at the test server, through its dialog.
      const invoke = await page.evaluate(() => RED.nodes.filterNodes({ type: 'sagemaker-invoke' })[0].id);
      await openNode(page, invoke);
      await openConfigDialog(page);
      // Example 08 waits for results in S3: sagemaker-local's async endpoint and S3 API serve both.
      const asyncExample = file.startsWith('08');
      await typeInto(page, '#node-config-input-endpointUrl', asyncExample ? local.url : server.url);
      if (asyncExample) await typeInto(page, '#node-config-input-s3EndpointUrl', local.url);
      await fillConfigDialog(page, {}, KEYS);
      await saveConfigDialog(page);
      await saveNodeDialog(page);
      const problemsBefore = red.problems().length;
      await deployFromEditor(page);

      await showSidebar(page, 'd');
      const debug = page.locator('.red-ui-debug-content-list');
      await debug.waitFor();
      const injects = expected.filter((n) => n.type === 'inject');
      const requestsBefore = server.requests.length;
      for (const inject of injects) {
        await nodeOnCanvas(page, inject.id).locator('.red-ui-flow-node-button-button').click();
      }
      const message = async (name) => {
        const msg = debug.locator('.red-ui-debug-msg', { hasText: `node: ${name}` }).first();
        await msg.waitFor();
        return expandDebugMessage(msg);
      };
      if (file.startsWith('01')) {
        assert.match(await message('prediction'), /failure_risk[\s\S]*0\.87/);
        const metadata = await message('response metadata');
        assert.match(metadata, /endpointName[\s\S]*"my-json-model"/);
        assert.match(metadata, /requestId/);
        await page.waitForFunction(() => ![...document.querySelectorAll('.red-ui-notification')].some((n) => n.offsetParent !== null));
        await screenshot(page, shots, 'debug-sidebar.png');
      } else if (file.startsWith('02')) {
        assert.match(await message('scores'), /0\.25/);
      } else if (file.startsWith('03')) {
        const res = await fetch(`${red.base}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ instances: [{ a: 1, b: 2 }] }) });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { predictions: [{ failure_risk: 0.87, got: 2 }] });
      } else if (file.startsWith('04')) {
        assert.match(await message('prediction'), /failure_risk[\s\S]*0\.87/);
        assert.match(await message('SageMaker refused'), /ValidationError/);
        assert.match(await message('not sent: invalid'), /InvalidInput/);
      } else if (file.startsWith('05')) {
        assert.match(await message('joined answer'), /A bearing overheats when it runs dry\./);
        assert.match(await message('each part as it arrives'), /A bearing|overheats|runs dry/);
      } else if (file.startsWith('07')) {
        assert.match(await message('score per reading'), /0\.25/);
        assert.match(await message('batch of each reading'), /size[\s\S]*index[\s\S]*requestId/);
        // The readings of one round (eight pumps) went together, as CSV rows of four numbers.
        const rows = /^\d+(\.\d+)?(,\d+(\.\d+)?){3}$/;
        const bodies = server.requests.slice(requestsBefore).filter((r) => r.endpointName === 'my-xgboost-endpoint');
        assert.ok(bodies.length >= 1, 'the endpoint was called');
        for (const r of bodies) {
          assert.equal(r.headers['content-type'], 'text/csv');
          const lines = r.body.toString().split('\n');
          assert.ok(lines.length >= 2 && lines.every((l) => rows.test(l)), `a batch of CSV rows: ${JSON.stringify(r.body.toString())}`);
        }
      } else if (file.startsWith('10') || file.startsWith('11')) {
        // At the edge: the device-certificate example (pointed at the test server with keys) and the outage one.
        assert.match(await message(file.startsWith('10') ? 'prediction' : 'answered in order'), /failure_risk[\s\S]*0\.87/);
      } else if (asyncExample) {
        await page.waitForFunction(() => [...document.querySelectorAll('.red-ui-debug-msg')].filter((m) => /node: result/.test(m.textContent)).length === 2, undefined, { timeout: 60000 });
        assert.ok(localLines.some((l) => /^PUT \/my-bucket\/node-red-inputs\/[\w-]+\.json 200/.test(l)), 'the long window was uploaded');
        assert.equal(localLines.filter((l) => /: output s3:\/\/my-bucket\/async-output\//.test(l)).length, 2, 'both results were written');
      } else if (file.startsWith('06')) {
        assert.match(await message('where the answer will be'), /outputLocation[\s\S]*s3:\/\/sagemaker-local-async\/my-async-model\//);
        assert.equal(server.requests.slice(requestsBefore).filter((r) => r.operation === 'async' && r.status === 202).length, 2);
      }
      if ((injects.length || file.startsWith('03')) && !asyncExample) {
        assert.ok(server.requests.slice(requestsBefore).some((r) => r.verified), 'the invoke node called the test server with the keys');
      }
      // Example 04 fails two requests on purpose, and Node-RED logs a node's error even when a Catch node takes it.
      const deliberate = file.startsWith('04') ? /\[error\] \[sagemaker-invoke:/ : /$^/;
      assert.deepEqual(red.problems().slice(problemsBefore).filter((l) => !deliberate.test(l)), []);
    });
  }

  it('renders every Info and comment text of the demo and the examples as written, with the editor\'s own Markdown', async function () {
    // Node-RED's Markdown (RED.utils.renderMarkdown: marked with Node-RED's extensions for node help) reads a line
    // with a colon, a parenthesis and another colon as a definition list: the words between go into <dt>/<dd>, one
    // sentence can vanish and a paragraph can turn bold. Each text must come out with every word it was written
    // with, no definition list, and as many bold spans as it marks.
    const texts = [];
    for (const file of ['demo/flows.json', ...fs.readdirSync(path.join(root, 'examples')).map((f) => `examples/${f}`)]) {
      for (const n of JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'))) {
        if (typeof n.info === 'string' && n.info.trim()) texts.push({ where: `${file}: ${n.type} "${n.name || n.label || n.id}"`, md: n.info });
      }
    }
    assert.ok(texts.length >= 15, `${texts.length} texts`);
    const check = (items) => items.map(({ where, md }) => {
      const div = document.createElement('div');
      div.innerHTML = RED.utils.renderMarkdown(md);
      const problems = [];
      if (div.querySelector('dl, dt, dd')) problems.push(`a definition list: ${div.querySelector('dt, dd, dl').textContent.slice(0, 80)}`);
      const bold = (md.match(/\*\*[^*\n]+\*\*|__[^_\n]+__/g) || []).length;
      const drawn = div.querySelectorAll('strong, b').length;
      if (drawn !== bold) problems.push(`${drawn} bold spans drawn, ${bold} written`);
      const words = (s) => s.match(/[A-Za-z0-9]+/g) || [];
      const shown = new Set(words(div.textContent));
      // Not the link targets, tags or the numbers of a numbered list (the list draws those itself).
      const written = words(md.replace(/\]\([^)]*\)/g, ']').replace(/<[^>]+>/g, ' ').replace(/^\s*\d+\.\s/gm, ' '));
      const lost = [...new Set(written.filter((w) => !shown.has(w)))];
      if (lost.length) problems.push(`words lost: ${lost.join(' ')}`);
      return problems.length ? `${where}: ${problems.join('; ')}` : '';
    }).filter(Boolean);
    // The check sees the trap: a sentence shaped like a help page's property line.
    assert.equal((await page.evaluate(check, [{ where: 'trap', md: 'Press **go**: it waits (about 2 s): then answers.' }])).length, 1);
    assert.deepEqual(await page.evaluate(check, texts), []);
  });

  it('takes an invoke node imported without inputProperty, outputProperty, onUnreachable and holdTimeout (and a config node without retryMode and the rest) as valid, as the runtime does (the defaults)', async function () {
    const state = await page.evaluate((type) => {
      // Its own config node, so the test starts from a known state whichever tests ran before it.
      const config = RED.nodes.id();
      const id = RED.nodes.id();
      // Saved before inputProperty, outputProperty, onUnreachable and holdTimeout existed: none of them is set.
      RED.nodes.import([
        { id: config, type: 'sagemaker-config', name: 'imported old node', region: 'us-east-1', authMode: 'chain' },
        { id, type, z: RED.workspaces.active(), x: 200, y: 500, name: '', config, endpointName: 'my-json-model', wires: [[]] },
      ]);
      const node = RED.nodes.node(id);
      const configNode = RED.nodes.node(config);
      RED.editor.validateNode(configNode);
      RED.editor.validateNode(node);
      const result = { config: configNode.valid ? undefined : configNode.validationErrors, valid: node.valid, errors: node.validationErrors || [], input: node.inputProperty };
      RED.nodes.remove(id);
      RED.nodes.remove(config);
      return result;
    }, names.INVOKE_NODE_TYPE);
    assert.equal(state.config, undefined, `its config node is valid: ${JSON.stringify(state.config)}`);
    assert.ok(state.input === undefined || state.input === '', `imported without it (${state.input})`);
    assert.deepEqual(state.errors, []);
    assert.equal(state.valid, true);
  });

  it('ran without a script error or warning in the browser', function () {
    assert.deepEqual(pageErrors, []);
  });
});
