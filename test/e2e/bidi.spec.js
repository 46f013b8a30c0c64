'use strict';
// The sagemaker-bidi node as a person uses it, in headless Chromium against a real Node-RED (the packed package) and
// the local server's HTTP/2 route: the palette, a node dragged in, its dialog filled (a new config node pointing at
// the HTTP/2 server), deployed and run, scores arriving in the debug sidebar; its help; its example imported and run.
// Screenshots go to test-artifacts/screenshots/node-red-<major>/.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { KEYS } = require('../harness');
const { root, artifacts, nodeRedMajor, installPacked, startNodeRed } = require('../node-red-process');
const {
  launch, openEditor, dragFromPalette, nodeOnCanvas, openNode, typeInto, deployFromEditor, expandDebugMessage, importExample, showSidebar, screenshot,
  newEditorPage, assertDialogFields, fillConfigDialog, saveConfigDialog, saveNodeDialog, closeDialogs, openConfigDialog,
} = require('./browser');
const { dialogLayoutProblems } = require('./dialog-layout');
const names = require('../../dist/shared/names');
const { BidiServer, demoBidi } = require('sagemaker-local');

const userDir = path.join(artifacts, 'e2e-bidi-userdir');
const shots = path.join(artifacts, 'screenshots', `node-red-${nodeRedMajor}`);
const text = require('../../nodes/locales/en-US/sagemaker-bidi.json')['sagemaker-bidi'];
const EXAMPLE = '09 Stream readings both ways';

describe('the sagemaker bidi node in a browser', function () {
  this.timeout(120000);
  let red;
  let server;
  let bidiUrl;
  let browser;
  let page;
  let bidiId;
  const pageErrors = [];

  before(async function () {
    installPacked(userDir);
    server = new BidiServer({ credentials: [KEYS], endpoints: { 'sensor-anomaly': demoBidi(), 'my-streaming-model': demoBidi() } });
    bidiUrl = await server.listen(0, '127.0.0.1');
    red = await startNodeRed(userDir, {
      logName: `node-red-${nodeRedMajor}-e2e-bidi.log`,
      settings: { editorTheme: { tours: false, palette: { catalogues: [] } } },
    });
    browser = await launch();
    page = await newEditorPage(browser, pageErrors);
    await openEditor(page, red.base);
    await page.waitForFunction((t) => RED.nodes.getType(t), names.BIDI_NODE_TYPE);
  });

  after(async function () {
    if (browser) await browser.close();
    if (red) await red.stop();
    if (server) await server.close();
  });

  // Each test starts at the workspace with no dialog open, whatever the one before left.
  beforeEach(async function () {
    if (page) await closeDialogs(page);
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await screenshot(page, shots, `failed-bidi-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}.png`);
  });

  it('shows sagemaker bidi in the palette under AWS, with its icon, and registers the properties the public names define', async function () {
    const item = page.locator(`#red-ui-palette-container-${names.PALETTE_CATEGORY} .red-ui-palette-node[data-palette-type="${names.BIDI_NODE_TYPE}"]`);
    await item.scrollIntoViewIfNeeded();
    assert.equal(await item.getAttribute('data-palette-label'), text.paletteLabel);
    const icon = await item.locator('.red-ui-palette-icon').evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(icon, new RegExp(`icons/${names.MODULE_NAME}/sagemaker-bidi\\.svg`));
    const def = await page.evaluate((t) => {
      const d = RED.nodes.getType(t);
      return { category: d.category, defaults: Object.keys(d.defaults), inputs: d.inputs, outputs: d.outputs };
    }, names.BIDI_NODE_TYPE);
    assert.deepEqual(def, { category: names.PALETTE_CATEGORY, defaults: Object.keys(names.BIDI_DEFAULTS), inputs: 1, outputs: 1 });
  });

  it('drags the node in; its dialog has every field with its label and default, and marks a bad value', async function () {
    bidiId = await dragFromPalette(page, names.BIDI_NODE_TYPE, 360, 200);
    await openNode(page, bidiId);
    const tray = page.locator('.red-ui-tray').last();
    await assertDialogFields(tray, names.BIDI_DEFAULTS, text);
    const invalid = async (key) => /\binput-error\b/.test((await tray.locator(`#node-input-${key}`).getAttribute('class')) || '');
    await typeInto(page, '#node-input-modelInvocationPath', '/starts/with/a/slash');
    assert.equal(await invalid('modelInvocationPath'), true);
    await typeInto(page, '#node-input-modelInvocationPath', '');
    assert.equal(await invalid('modelInvocationPath'), false);
    await typeInto(page, '#node-input-maxStreams', '0');
    assert.equal(await invalid('maxStreams'), true);
    await typeInto(page, '#node-input-maxStreams', '4');
    assert.equal(await invalid('maxStreams'), false);
    await typeInto(page, '#node-input-endpointName', 'sensor-anomaly');
    await screenshot(tray, shots, 'bidi-dialog.png');

    // A new config node, its streams pointed at the local HTTP/2 server.
    const config = await openConfigDialog(page, 'add');
    await fillConfigDialog(page, { region: 'us-east-1', bidiEndpointUrl: bidiUrl }, KEYS);
    await saveConfigDialog(page);
    await saveNodeDialog(page);
    const saved = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      return { endpointName: n.endpointName, maxStreams: n.maxStreams, valid: n.valid };
    }, bidiId);
    assert.deepEqual(saved, { endpointName: 'sensor-anomaly', maxStreams: '4', valid: true });
  });

  it('lays out its dialog at the default width: no label wraps or overlaps its field, no option or placeholder is cut off', async function () {
    assert.ok(bidiId, 'the bidi node was dragged in');
    await openNode(page, bidiId);
    assert.deepEqual(await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child'), []);
    await openConfigDialog(page);
    assert.deepEqual(await page.evaluate(dialogLayoutProblems, '.red-ui-tray:last-child'), [], 'the config dialog');
  });

  it('deploys it with an inject and a debug node and streams readings: each score shows in the debug sidebar', async function () {
    // The node was dragged and filled by hand; the inject and debug beside it are wired in through the editor's API.
    await page.evaluate((id) => {
      const bidi = RED.nodes.node(id);
      const z = bidi.z;
      const inject = { id: RED.nodes.id(), type: 'inject', z, x: bidi.x - 200, y: bidi.y, name: 'reading', props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], topic: 'pump-1', payload: '21.5', payloadType: 'num', repeat: '', crontab: '', once: false, onceDelay: 0.1, wires: [] };
      const debug = { id: RED.nodes.id(), type: 'debug', z, x: bidi.x + 220, y: bidi.y, name: 'bidi answer', active: true, tosidebar: true, console: false, tostatus: false, complete: 'true', targetType: 'full', wires: [] };
      RED.view.importNodes([inject, debug], { generateIds: false, addFlow: false, touchImport: false });
      RED.nodes.addLink({ source: RED.nodes.node(inject.id), sourcePort: 0, target: bidi });
      RED.nodes.addLink({ source: bidi, sourcePort: 0, target: RED.nodes.node(debug.id) });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    }, bidiId);
    // Imported nodes follow the mouse until a click puts them down.
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    await page.mouse.click(chart.x + 300, chart.y + 400);
    const problemsBefore = red.problems().length;
    await deployFromEditor(page);
    await showSidebar(page, 'd');
    const inject = await page.evaluate(() => RED.nodes.filterNodes({ type: 'inject' }).find((n) => n.name === 'reading').id);
    await page.evaluate((id) => RED.view.reveal(id), inject);
    await page.waitForFunction(() => !window.$('#red-ui-workspace-chart').is(':animated'));
    for (let i = 0; i < 3; i++) await nodeOnCanvas(page, inject).locator('.red-ui-flow-node-button-button').click();
    const debug = page.locator('.red-ui-debug-content-list');
    const messages = debug.locator('.red-ui-debug-msg', { hasText: 'node: bidi answer' });
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-debug-msg').length >= 3);
    const first = await expandDebugMessage(messages.first());
    assert.match(first, /series[\s\S]*"default"|series[\s\S]*default/);
    assert.match(first, /dataType[\s\S]*"UTF8"/);
    assert.match(first, /topic[\s\S]*"pump-1"/);
    assert.equal(server.streams.length, 1, 'three readings, one stream');
    assert.equal(server.streams[0].verified, true);
    await screenshot(page, shots, 'bidi-debug-sidebar.png');
    assert.deepEqual(red.problems().slice(problemsBefore), []);
  });

  it('shows the node help with its Inputs, Outputs, Details and References', async function () {
    await page.evaluate((id) => RED.view.select(id), bidiId);
    await showSidebar(page, 'h');
    const help = page.locator('.red-ui-help', { has: page.locator('h1.red-ui-help-title', { hasText: text.paletteLabel }) });
    await help.locator('h3', { hasText: 'Inputs' }).waitFor();
    const headings = (await help.locator('h3').allInnerTexts()).map((h) => h.trim());
    for (const h of ['Inputs', 'Outputs', 'Details', 'References']) assert.ok(headings.includes(h), `${h} in ${headings}`);
    assert.match(await help.innerText(), /msg\.complete|complete/);
  });

  it(`imports the example "${EXAMPLE}", points it at the local server, deploys it and runs it`, async function () {
    await red.deploy([{ id: 'e2etab', type: 'tab', label: 'Flow 1' }]);
    await openEditor(page, red.base);
    await importExample(page, names.MODULE_NAME, EXAMPLE);
    // The editor adds the imported nodes as it places them: wait for them, not for the clock.
    await page.waitForFunction((t) => RED.nodes.filterNodes({ type: t }).length > 0 && RED.nodes.filterNodes({ type: 'inject' }).length > 0, names.BIDI_NODE_TYPE);
    const node = await page.evaluate((t) => RED.nodes.filterNodes({ type: t })[0].id, names.BIDI_NODE_TYPE);
    await openNode(page, node);
    await openConfigDialog(page);
    await fillConfigDialog(page, { bidiEndpointUrl: bidiUrl }, KEYS);
    await saveConfigDialog(page);
    await saveNodeDialog(page);
    const problemsBefore = red.problems().length;
    const streamsBefore = server.streams.length;
    await deployFromEditor(page);
    await showSidebar(page, 'd');
    const inject = await page.evaluate(() => RED.nodes.filterNodes({ type: 'inject' })[0].id);
    await nodeOnCanvas(page, inject).locator('.red-ui-flow-node-button-button').click();
    const debug = page.locator('.red-ui-debug-content-list');
    const totals = debug.locator('.red-ui-debug-msg', { hasText: 'node: stream totals' }).first();
    await totals.waitFor({ timeout: 20000 });
    assert.match(await expandDebugMessage(totals), /partsSent[\s\S]*20[\s\S]*partsReceived[\s\S]*20/);
    assert.equal(await debug.locator('.red-ui-debug-msg', { hasText: 'node: score as it arrives' }).count(), 20);
    assert.equal(server.streams.length, streamsBefore + 1);
    assert.deepEqual(red.problems().slice(problemsBefore), []);
  });

  it('ran without a script error or warning in the browser', function () {
    assert.deepEqual(pageErrors, []);
  });
});
