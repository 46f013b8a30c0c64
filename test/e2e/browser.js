'use strict';
// Headless Chromium driven by playwright-core, and the editor gestures the browser tests share. Which Chromium:
// test/e2e/find-browser.js (CHROMIUM_PATH, a system Chromium or Chrome, else the npm package @sparticuz/chromium).
// playwright's own browser download is not used.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { chooseBrowser, launchOptions } = require('./find-browser');
const { DISCOVERY_ENDPOINTS_ROUTE } = require('../../dist/shared/discovery');

/** The path the discovery routes share (sagemaker-runtime/discovery). */
const DISCOVERY_ROUTES = DISCOVERY_ENDPOINTS_ROUTE.slice(0, DISCOVERY_ENDPOINTS_ROUTE.lastIndexOf('/'));

let announced = false;

/** A browser with a fresh profile (playwright gives every launch a new temporary user-data-dir). */
async function launch() {
  const choice = chooseBrowser();
  const options = await launchOptions(choice);
  if (!announced) {
    announced = true;
    process.stdout.write(`      (browser: ${options.executablePath}, from ${choice.source})\n`);
  }
  return chromium.launch(options);
}

/** Opens the editor and waits until both node types are registered and the workspace is drawn. */
async function openEditor(page, base) {
  await page.goto(base);
  const hidden = (sel) => `(!document.querySelector('${sel}') || document.querySelector('${sel}').offsetParent === null)`;
  await page.waitForFunction(`window.RED && RED.nodes && RED.nodes.getType
    && RED.nodes.getType('sagemaker-invoke') && RED.nodes.getType('sagemaker-config')
    && document.querySelector('#red-ui-workspace-chart svg')
    && ${hidden('#red-ui-loading-progress')} && ${hidden('#red-ui-full-shade')}`);
}

/** Drags a node from the palette onto the workspace at (x, y) of the chart; returns the new node's id. */
async function dragFromPalette(page, type, x, y) {
  const item = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await item.scrollIntoViewIfNeeded();
  const box = await item.boundingBox();
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  const before = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(chart.x + x, chart.y + y, { steps: 20 });
  await page.mouse.up();
  await page.waitForFunction(([t, n]) => RED.nodes.filterNodes({ type: t }).length > n, [type, before.length]);
  return page.evaluate(([t, b]) => RED.nodes.filterNodes({ type: t }).map((n) => n.id).find((id) => !b.includes(id)), [type, before]);
}

const nodeOnCanvas = (page, id) => page.locator(`#red-ui-workspace-chart g[id="${id}"]`);

/** Opens a node's edit dialog the way a person does: a double click on the node. */
async function openNode(page, id) {
  await page.evaluate((nodeId) => RED.view.reveal(nodeId), id);
  // reveal scrolls the workspace with a 200 ms jQuery animation; on a busy machine a double click made meanwhile
  // lands beside the node. Wait for the scroll to end, and if the dialog still does not open, try once more.
  await page.waitForFunction(() => !window.$('#red-ui-workspace-chart').is(':animated'));
  const ok = page.locator('.red-ui-tray #node-dialog-ok');
  for (let attempt = 1; ; attempt++) {
    await nodeOnCanvas(page, id).locator('.red-ui-flow-node').first().dblclick();
    try {
      await ok.waitFor({ timeout: attempt === 1 ? 10000 : 30000 });
      return;
    } catch (err) {
      if (attempt === 2 || (await page.locator('.red-ui-tray').count()) > 0) throw err;
    }
  }
}

/**
 * Opens the config node's dialog from the open node dialog's pencil (`edit`) or plus (`add`) button, and waits until
 * it shows its fields; returns the config dialog's tray. A click made while the node dialog still settles (its tray
 * sliding in, a discovery line appearing under Endpoint) can be lost; then the button is clicked once more, as with
 * openNode.
 */
async function openConfigDialog(page, button = 'edit') {
  const region = page.locator('#node-config-input-region');
  for (let attempt = 1; ; attempt++) {
    await page.locator(`#node-input-btn-config-${button}`).click();
    try {
      await region.waitFor({ timeout: attempt === 1 ? 10000 : 30000 });
      return page.locator('.red-ui-tray').last();
    } catch (err) {
      if (attempt === 2 || (await page.locator('.red-ui-tray').count()) > 1) throw err;
    }
  }
}

/** Types into a dialog input as a person does, then leaves it, so the editor validates it. */
async function typeInto(page, selector, text) {
  const input = page.locator(selector);
  await input.fill(text);
  await input.press('Tab');
}

/** Clicks the Deploy button and waits until the editor has nothing left to deploy. */
async function deployFromEditor(page) {
  await page.click('#red-ui-header-button-deploy');
  await page.waitForFunction(() => !RED.nodes.dirty());
}

/**
 * Shows a sidebar panel with its keyboard shortcut (ctrl-g d: debug, ctrl-g h: help), the same in Node-RED 4 and 5,
 * whose sidebars are laid out differently.
 */
async function showSidebar(page, key) {
  await page.locator('#red-ui-workspace-chart').focus();
  await page.keyboard.press('Control+g');
  await page.keyboard.press(key);
}

/** Opens every fold of a message in the debug sidebar, as a person clicks through it; returns its text. */
async function expandDebugMessage(msg) {
  for (let i = 0; i < 30; i++) {
    const folded = msg.locator('.collapsed > .red-ui-debug-msg-expandable');
    if (await folded.count() === 0) break;
    await folded.first().click();
  }
  return msg.innerText();
}

/** Imports one of a module's examples through the menu: Import, Examples, the module, the example, Import. */
async function importExample(page, moduleName, title) {
  await page.click('#red-ui-header-button-sidemenu');
  await page.click('#menu-item-import');
  const dialog = page.locator('#red-ui-clipboard-dialog');
  await dialog.locator('#red-ui-tab-red-ui-clipboard-dialog-import-tab-examples a').click();
  const tree = dialog.locator('#red-ui-clipboard-dialog-import-tab-examples');
  const example = tree.locator('.red-ui-treeList-label-text', { hasText: title });
  // The tree fills in as the list of examples arrives: click the module's folder until the example shows.
  for (let i = 0; i < 5 && !(await example.isVisible()); i++) {
    await tree.locator('.red-ui-treeList-label', { hasText: moduleName }).click();
    await example.waitFor({ timeout: 5000 }).catch(() => {});
  }
  await example.click();
  await page.locator('#red-ui-clipboard-dialog-ok').click();
  // Imported nodes follow the mouse until a click puts them down.
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  await page.mouse.move(chart.x + 400, chart.y + 300, { steps: 5 });
  await page.mouse.click(chart.x + 400, chart.y + 300);
  await dialog.waitFor({ state: 'hidden' });
}

/** Saves a screenshot of a page or an element into `dir`. */
async function screenshot(target, dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  await target.screenshot({ path: path.join(dir, name) });
}

/** A page for the editor at the tests' size; every script error and console error or warning goes into `errors`. */
async function newEditorPage(browser, errors) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    // A discovery route's refusal (the account refused a call, SageMaker could not be reached) is an answer the dialog
    // shows under Endpoint, not a script error; Chromium logs its status all the same.
    if (/^Failed to load resource/.test(m.text()) && m.location().url.includes(`/${DISCOVERY_ROUTES}/`)) return;
    errors.push(`${m.type()}: ${m.text()}`);
  });
  return page;
}

/**
 * Records into `seen` everything the page receives: each response ({ url, status, body }) and each websocket frame
 * ({ url, body }), so a test can show that no secret ever reached the browser.
 */
function recordReceived(page, seen) {
  page.on('response', async (res) => {
    try { seen.push({ url: res.url(), status: res.status(), body: await res.text() }); } catch { /* a body that is gone (redirect, aborted) */ }
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => seen.push({ url: ws.url(), body: String(f.payload) })));
}

/**
 * Checks an open node dialog (`tray`): a field per key of the node's defaults, holding its default (but the config
 * selector), labelled with the words of the node's locale file `text`, with its placeholder where the file has one.
 */
async function assertDialogFields(tray, defaults, text) {
  for (const [key, value] of Object.entries(defaults)) {
    const input = tray.locator(`#node-input-${key}`);
    assert.equal(await input.count(), 1, `${key} has a field`);
    if (key !== 'config') assert.equal(await input.inputValue(), String(value), `${key} defaults to ${JSON.stringify(value)}`);
    assert.equal((await tray.locator(`label[for="node-input-${key}"]`).innerText()).trim(), text.label[key], `${key}'s label`);
    if (text.placeholder && text.placeholder[key]) assert.equal(await input.getAttribute('placeholder'), text.placeholder[key]);
  }
}

/** Types each of `fields` into the open config node dialog's `#node-config-input-<key>`, then, given, the access keys. */
async function fillConfigDialog(page, fields, keys) {
  for (const [key, value] of Object.entries(fields)) await typeInto(page, `#node-config-input-${key}`, value);
  if (!keys) return;
  await page.locator('#node-config-input-authMode').selectOption('keys');
  await typeInto(page, '#node-config-input-accessKeyId', keys.accessKeyId);
  await typeInto(page, '#node-config-input-secretAccessKey', keys.secretAccessKey);
}

/** Saves the open config node dialog and waits until it has gone (the node's own dialog stays open). */
async function saveConfigDialog(page) {
  await page.locator('#node-config-dialog-ok').click();
  await page.locator('#node-config-input-region').waitFor({ state: 'detached' });
}

/** Saves the open node dialog and waits until the tray has gone. */
async function saveNodeDialog(page) {
  await page.locator('#node-dialog-ok').click();
  await page.locator('.red-ui-tray').waitFor({ state: 'detached' });
}

/**
 * Cancels every open edit dialog, the topmost first (a config node's over its node's), as a person presses Cancel:
 * whatever a test left open, or half-edited when it failed, the next one starts from the workspace.
 */
async function closeDialogs(page) {
  // Node-RED takes the node's tray out of the page while a config node's tray is over it, and puts it back after.
  for (let i = 0; i < 10; i++) {
    const config = page.locator('#node-config-dialog-cancel');
    const node = page.locator('#node-dialog-cancel');
    if (await config.isVisible()) {
      await config.click();
      await config.waitFor({ state: 'detached' });
    } else if (await node.isVisible()) {
      await node.click();
      await node.waitFor({ state: 'detached' });
    } else if (await page.locator('.red-ui-tray').count()) {
      await page.evaluate(() => RED.tray.close());
      await page.waitForFunction(() => !document.querySelector('.red-ui-tray'));
    } else {
      return;
    }
  }
  throw new Error('the edit dialogs would not close');
}

module.exports = {
  closeDialogs, newEditorPage, recordReceived, openConfigDialog, assertDialogFields, fillConfigDialog, saveConfigDialog, saveNodeDialog,
  launch, openEditor, dragFromPalette, nodeOnCanvas, openNode, typeInto, deployFromEditor, expandDebugMessage, importExample, showSidebar, screenshot,
};
