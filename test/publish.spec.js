'use strict';
// What the flow library and npm show: the README, rendered away from the repository (neither site resolves a
// relative link or image against it), is written for someone installing from the palette; package.json carries
// what the flow library reads (author, a description naming the three operations, its `node-red` keyword).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
// owner/name of the GitHub repository, from package.json's repository URL.
const repo = /github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(pkg.repository.url)[1];
const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));

/** Every markdown link and image target, and every HTML src/href, outside code blocks. */
function targets(markdown) {
  const text = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const found = [];
  for (const m of text.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)) found.push({ image: m[1] === '!', url: m[2] });
  for (const m of text.matchAll(/<(img|a)\b[^>]*\b(?:src|href)="([^"]+)"/g)) found.push({ image: m[1] === 'img', url: m[2] });
  return found;
}

describe('what the flow library and npm show', function () {
  it('README images are absolute URLs to files in the GitHub repository (the flow library cannot load relative ones)', function () {
    const images = targets(readme).filter((t) => t.image);
    assert.ok(images.length >= 4, 'the README has its screenshots');
    const prefix = `https://raw.githubusercontent.com/${repo}/main/`;
    for (const { url } of images) {
      assert.ok(url.startsWith(prefix), `${url} starts with ${prefix}`);
      const file = url.slice(prefix.length);
      assert.ok(tracked.has(file) && fs.existsSync(path.join(root, file)), `${file} is committed, so the URL resolves once pushed`);
    }
  });

  it('README links are absolute or to a heading of the README', function () {
    const anchors = new Set(readme.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => l.replace(/^#+ /, '').toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
    for (const { url } of targets(readme).filter((t) => !t.image)) {
      if (url.startsWith('#')) assert.ok(anchors.has(url.slice(1)), `${url} is a heading of the README`);
      else assert.match(url, /^(https?:|mailto:)/, `${url} is absolute`);
    }
  });

  it('the two READMEs link each other, and the server\'s links too work away from the repository', function () {
    const serverReadme = fs.readFileSync(path.join(root, 'packages', 'sagemaker-local', 'README.md'), 'utf8');
    const serverUrl = `https://github.com/${repo}/tree/main/packages/sagemaker-local#readme`;
    assert.ok(targets(readme).some((t) => t.url === serverUrl), 'the nodes\' README links the server\'s');
    assert.match(readme, /\n## Trying flows offline: `sagemaker-local`\n/, 'and keeps a short section on trying flows offline');
    assert.ok(targets(serverReadme).some((t) => t.url === `https://github.com/${repo}#readme`), 'the server\'s README links the nodes\'');
    const anchors = new Set(serverReadme.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => l.replace(/^#+ /, '').toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
    for (const { url } of targets(serverReadme)) {
      if (url.startsWith('#')) assert.ok(anchors.has(url.slice(1)), `${url} is a heading of the server's README`);
      else assert.match(url, /^(https?:|mailto:)/, `${url} is absolute`);
    }
  });

  it('README starts with the install and the quick start; the clone-only `npm start` demo comes after them', function () {
    const install = readme.indexOf('\n## Install\n');
    const quick = readme.indexOf('\n## Quick start\n');
    assert.ok(install > 0 && quick > install, 'Install, then Quick start');
    const afterQuick = readme.indexOf('\n## ', quick + 1);
    assert.ok(!readme.slice(0, afterQuick).includes('npm start'), 'no `npm start` before the quick start ends');
    assert.ok(readme.indexOf('npm start') > afterQuick, 'the demo is still described');
  });

  it('package.json has an author, a description naming the three operations, and the flow library\'s keywords', function () {
    assert.ok(pkg.author && (typeof pkg.author === 'string' ? pkg.author : pkg.author.name).trim(), 'author');
    for (const op of ['InvokeEndpoint', 'InvokeEndpointWithResponseStream', 'InvokeEndpointAsync']) {
      assert.match(pkg.description, new RegExp(`\\b${op}\\b`), `the description names ${op}`);
    }
    assert.ok(pkg.keywords.includes('node-red'), 'the flow library lists only packages with the node-red keyword');
    for (const k of ['sagemaker', 'aws', 'machine-learning']) assert.ok(pkg.keywords.includes(k), k);
  });
});

describe('installing: a Node-RED user\'s install runs no script of ours, a clone\'s npm install still builds', function () {
  this.timeout(120000);
  const os = require('node:os');
  const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
  let tmp;
  before(function () { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-install-')); });
  after(function () { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  const npm = (args, cwd) => execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_cache: path.join(tmp, '.npm') },
  });

  it('the package.json npm packs declares no install-time lifecycle script', function () {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
    assert.ok(packed.files.some((f) => f.path === 'package.json'));
    // npm packs package.json as it is in the repository (no prepack rewriting): its scripts are what users get.
    assert.deepEqual(INSTALL_SCRIPTS.filter((s) => pkg.scripts[s]), [], 'no install-time script in the shipped manifest');
    assert.ok(!packed.files.some((f) => f.path.startsWith('tools/')), 'the build workspace is not shipped');
  });

  it('the server package of the workspace declares no install-time lifecycle script either', function () {
    const server = JSON.parse(fs.readFileSync(path.join(root, 'packages', 'sagemaker-local', 'package.json'), 'utf8'));
    assert.deepEqual(INSTALL_SCRIPTS.filter((s) => server.scripts && server.scripts[s]), []);
  });

  it('with real npm: the clone builds on npm install (through the private build workspace); the packed tarball installs silently, running nothing', function () {
    // The repository's manifest and build workspace as they are, with a build that only leaves a mark, and no
    // dependencies (so npm needs no registry).
    const clone = path.join(tmp, 'clone');
    fs.mkdirSync(path.join(clone, 'tools', 'build-on-install'), { recursive: true });
    // Of the workspaces, only the build workspace: the server package is a package of its own (its manifest is
    // checked below), and its dependencies would need the registry.
    const buildWorkspaces = pkg.workspaces.filter((ws) => ws.startsWith('tools/'));
    assert.deepEqual(buildWorkspaces, ['tools/build-on-install']);
    const manifest = { ...pkg, workspaces: buildWorkspaces, dependencies: {}, devDependencies: {}, files: ['built.txt'] };
    manifest.scripts = { ...pkg.scripts, build: 'node -e "require(\'fs\').writeFileSync(\'built.txt\', \'built\')"' };
    fs.writeFileSync(path.join(clone, 'package.json'), JSON.stringify(manifest, null, 2));
    for (const ws of buildWorkspaces) {
      fs.mkdirSync(path.join(clone, ws), { recursive: true });
      fs.copyFileSync(path.join(root, ws, 'package.json'), path.join(clone, ws, 'package.json'));
      assert.equal(JSON.parse(fs.readFileSync(path.join(root, ws, 'package.json'), 'utf8')).private, true, `${ws} is never published`);
    }
    npm(['install'], clone);
    assert.equal(fs.readFileSync(path.join(clone, 'built.txt'), 'utf8'), 'built', 'npm install in the clone ran the build');

    fs.rmSync(path.join(clone, 'built.txt'));
    const tgz = JSON.parse(npm(['pack', '--json'], clone))[0].filename; // prepack builds what is packed
    const user = path.join(tmp, 'user');
    fs.mkdirSync(user);
    fs.writeFileSync(path.join(user, 'package.json'), JSON.stringify({ name: 'node-red-user-dir', private: true }));
    const out = execFileSync('npm', ['install', path.join(clone, tgz), '--offline', '--no-audit', '--no-fund'], {
      cwd: user, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_cache: path.join(tmp, '.npm') },
    });
    assert.doesNotMatch(out, /allowScripts|install scripts/, 'npm has no script of ours to warn about');
    const installed = path.join(user, 'node_modules', pkg.name);
    assert.equal(fs.readFileSync(path.join(installed, 'built.txt'), 'utf8'), 'built', 'the tarball ships the build');
    const shipped = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    assert.deepEqual(INSTALL_SCRIPTS.filter((s) => shipped.scripts && shipped.scripts[s]), []);
  });
});
