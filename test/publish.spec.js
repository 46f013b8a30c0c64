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
