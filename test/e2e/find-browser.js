'use strict';
// Which Chromium the browser tests drive, found without anything installed by hand:
//   1. CHROMIUM_PATH, when set (a wrong path is an error, not a silent fallback: someone asked for that browser);
//   2. a system Chromium or Chrome at the usual Linux and macOS locations;
//   3. the Chromium inside the devDependency @sparticuz/chromium (Linux x64: the npm package ships only the x64
//      binary; it needs only libc, libgcc and expat from the system, and unpacks itself into the temp directory on
//      first use);
//   4. otherwise an error that says what to install.
// SAGEMAKER_TEST_BROWSER=npm skips 1 and 2 (how .ci/run proves the fallback works on a machine that has a system
// browser); SAGEMAKER_TEST_BROWSER=system skips 3.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const NPM_PACKAGE = '@sparticuz/chromium';

/** Where Chromium and Chrome install themselves, in the order they are tried. */
function systemCandidates(platform = process.platform, home = os.homedir()) {
  if (platform === 'darwin') {
    const apps = ['Chromium.app/Contents/MacOS/Chromium', 'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing'];
    return [...apps.map((a) => path.join('/Applications', a)), ...apps.map((a) => path.join(home, 'Applications', a))];
  }
  if (platform === 'linux') {
    return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome',
      '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome'];
  }
  return [];
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether this platform can run the npm package's binary. */
const npmBrowserRuns = (platform, arch) => platform === 'linux' && arch === 'x64';

/**
 * Decides which browser to use, without launching anything: `{ source, executablePath?, args? }` where source is
 * 'CHROMIUM_PATH', 'system' or 'npm' (whose path is only known after it unpacks: see launchOptions), or throws
 * with what to install. Every input is a parameter, so the test can try each situation.
 */
function chooseBrowser({
  env = process.env, platform = process.platform, arch = process.arch, exists = isExecutable,
  hasNpmPackage = () => { try { require.resolve(NPM_PACKAGE); return true; } catch { return false; } },
  home = os.homedir(),
} = {}) {
  const mode = env.SAGEMAKER_TEST_BROWSER || 'auto';
  if (!['auto', 'npm', 'system'].includes(mode)) {
    throw new Error(`SAGEMAKER_TEST_BROWSER must be npm, system or unset (got "${mode}")`);
  }
  if (mode !== 'npm') {
    if (env.CHROMIUM_PATH) {
      if (!exists(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which is not an executable file`);
      return { source: 'CHROMIUM_PATH', executablePath: env.CHROMIUM_PATH };
    }
    const found = systemCandidates(platform, home).find(exists);
    if (found) return { source: 'system', executablePath: found };
  }
  if (mode !== 'system' && npmBrowserRuns(platform, arch) && hasNpmPackage()) return { source: 'npm' };
  const why = mode === 'npm'
    ? `SAGEMAKER_TEST_BROWSER=npm asks for ${NPM_PACKAGE}, which ${npmBrowserRuns(platform, arch) ? 'is not installed (run `npm install`)' : `ships a browser for Linux x64 only, not ${platform} ${arch}`}`
    : `no Chromium or Chrome found (CHROMIUM_PATH unset; looked in ${systemCandidates(platform, home).join(', ') || 'no usual place on this platform'})`
      + (mode === 'system' ? '' : npmBrowserRuns(platform, arch) ? ` and ${NPM_PACKAGE} is not installed (run \`npm install\`)` : `, and ${NPM_PACKAGE} ships a browser for Linux x64 only`);
  throw new Error(`The browser tests need Chromium: ${why}. Install Chromium or Google Chrome `
    + '(Debian/Ubuntu: `apt-get install chromium`; macOS: `brew install --cask chromium` or Google Chrome), '
    + 'or set CHROMIUM_PATH to its executable.');
}

// Flags for any Chromium in a container or CI: no sandbox (often root), no GPU, nothing fetched from Google.
const COMMON_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-default-apps',
];

/** playwright-core's launch options for the chosen browser; unpacks the npm package's binary when that is the one. */
async function launchOptions(choice = chooseBrowser()) {
  if (choice.source !== 'npm') {
    return { executablePath: choice.executablePath, args: ['--headless', ...COMMON_ARGS], headless: true };
  }
  const sparticuz = require(NPM_PACKAGE);
  // No WebGL needed by the editor: skips unpacking SwiftShader.
  sparticuz.setGraphicsMode = false;
  const executablePath = await sparticuz.executablePath();
  return { executablePath, args: [...sparticuz.args, ...COMMON_ARGS.filter((a) => !sparticuz.args.includes(a))], headless: true };
}

module.exports = { chooseBrowser, launchOptions, systemCandidates, NPM_PACKAGE };
