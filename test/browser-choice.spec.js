'use strict';
// The browser tests find a Chromium on their own (test/e2e/find-browser.js): which one wins in each situation, the
// message when there is none, and the npm package's Chromium actually launched and loading a page with every
// system location hidden, as on a machine without a system browser.
const assert = require('node:assert/strict');
const http = require('node:http');
const { chromium } = require('playwright-core');
const { chooseBrowser, launchOptions, systemCandidates } = require('./e2e/find-browser');

const linux = { platform: 'linux', arch: 'x64', home: '/home/u', hasNpmPackage: () => true };
const only = (...files) => (f) => files.includes(f);

describe('which browser the browser tests use', function () {
  it('takes CHROMIUM_PATH first, and a CHROMIUM_PATH that is not there is an error, not a silent fallback', function () {
    const env = { CHROMIUM_PATH: '/opt/my/chrome' };
    assert.deepEqual(chooseBrowser({ ...linux, env, exists: only('/opt/my/chrome', '/usr/bin/chromium') }),
      { source: 'CHROMIUM_PATH', executablePath: '/opt/my/chrome' });
    assert.throws(() => chooseBrowser({ ...linux, env, exists: only('/usr/bin/chromium') }),
      /CHROMIUM_PATH is \/opt\/my\/chrome, which is not an executable file/);
  });

  it('then a system Chromium or Chrome at the usual Linux and macOS places', function () {
    assert.deepEqual(chooseBrowser({ ...linux, env: {}, exists: only('/usr/bin/google-chrome') }),
      { source: 'system', executablePath: '/usr/bin/google-chrome' });
    assert.deepEqual(chooseBrowser({ ...linux, env: {}, exists: only('/usr/bin/chromium', '/usr/bin/google-chrome') }).executablePath,
      '/usr/bin/chromium');
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    assert.deepEqual(chooseBrowser({ env: {}, platform: 'darwin', arch: 'arm64', home: '/Users/u', hasNpmPackage: () => true, exists: only(mac) }),
      { source: 'system', executablePath: mac });
    assert.ok(systemCandidates('darwin', '/Users/u').includes('/Users/u/Applications/Chromium.app/Contents/MacOS/Chromium'));
  });

  it('then the npm package @sparticuz/chromium on Linux x64, and SAGEMAKER_TEST_BROWSER=npm forces it', function () {
    assert.deepEqual(chooseBrowser({ ...linux, env: {}, exists: () => false }), { source: 'npm' });
    assert.deepEqual(chooseBrowser({ ...linux, env: { SAGEMAKER_TEST_BROWSER: 'npm', CHROMIUM_PATH: '/usr/bin/chromium' }, exists: () => true }),
      { source: 'npm' });
    assert.deepEqual(chooseBrowser({ ...linux, env: { SAGEMAKER_TEST_BROWSER: 'system' }, exists: only('/usr/bin/chromium') }).source, 'system');
  });

  it('otherwise says what to install, naming where it looked', function () {
    const none = { ...linux, env: {}, exists: () => false, hasNpmPackage: () => false };
    assert.throws(() => chooseBrowser(none), (err) => {
      assert.match(err.message, /^The browser tests need Chromium: no Chromium or Chrome found \(CHROMIUM_PATH unset; looked in \/usr\/bin\/chromium, /);
      assert.match(err.message, /@sparticuz\/chromium is not installed \(run `npm install`\)/);
      assert.match(err.message, /apt-get install chromium/);
      assert.match(err.message, /brew install --cask chromium/);
      assert.match(err.message, /or set CHROMIUM_PATH/);
      return true;
    });
    assert.throws(() => chooseBrowser({ ...none, arch: 'arm64', hasNpmPackage: () => true }), /ships a browser for Linux x64 only.*Install Chromium/);
    assert.throws(() => chooseBrowser({ ...none, platform: 'win32', env: { SAGEMAKER_TEST_BROWSER: 'npm' } }),
      /SAGEMAKER_TEST_BROWSER=npm asks for @sparticuz\/chromium, which ships a browser for Linux x64 only, not win32 x64/);
    assert.throws(() => chooseBrowser({ ...linux, env: { SAGEMAKER_TEST_BROWSER: 'firefox' } }), /SAGEMAKER_TEST_BROWSER must be npm, system or unset \(got "firefox"\)/);
  });

  describe('the npm package\'s Chromium, with every system browser hidden', function () {
    // The first use unpacks about 60 MB of brotli into the temp directory.
    this.timeout(120000);
    let server;
    let browser;
    before(function (done) {
      server = http.createServer((req, res) => {
        res.setHeader('Content-Type', 'text/html');
        res.end('<!doctype html><title>t</title><p id="out">static</p><script>document.getElementById("out").textContent = "rendered by " + navigator.userAgent.includes("Chrome");</script>');
      }).listen(0, '127.0.0.1', done);
    });
    after(async function () {
      if (browser) await browser.close();
      server.close();
    });

    it('launches through playwright-core and loads and runs a page', async function () {
      if (process.platform !== 'linux' || process.arch !== 'x64') {
        // The npm package has no other binary: here the forced choice must say so instead.
        assert.throws(() => chooseBrowser({ env: { SAGEMAKER_TEST_BROWSER: 'npm' }, exists: () => false }), /Linux x64 only/);
        return;
      }
      const choice = chooseBrowser({ env: { SAGEMAKER_TEST_BROWSER: 'npm' }, exists: () => false });
      assert.equal(choice.source, 'npm');
      const options = await launchOptions(choice);
      assert.ok(!systemCandidates().includes(options.executablePath), `not a system browser: ${options.executablePath}`);
      browser = await chromium.launch(options);
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      assert.equal(await page.textContent('#out'), 'rendered by true');
      assert.ok((await page.screenshot()).length > 1000, 'it draws');
    });
  });
});
