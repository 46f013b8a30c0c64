#!/usr/bin/env node
// The two packages of this workspace import nothing from each other, and the build stops when one does:
// - the Node-RED package (src/) imports only its own files and its dependencies, never `sagemaker-local`;
// - the server package (packages/sagemaker-local/src/) imports only its own files, Node's modules and the
//   dependencies its package.json lists (devDependencies too for src/test-servers/, which are not shipped), so its
//   tarball runs alone.
// - the folders of the Node-RED package's src/ import one way: no two import each other.
// The TypeScript projects already refuse a relative import out of their rootDir; this check also covers imports
// by package name, which would compile through the workspace's shared node_modules. Run by `npm run build`; its
// findings are checked by test/lib/boundaries.spec.js.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');

const root = path.join(__dirname, '..');
// import … from 'x', export … from 'x', import 'x', import('x'), require('x'), after comments are taken out.
const SPECIFIER = /(?:^\s*(?:import|export)\b[^;'"]*?\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/gm;
const COMMENTS = /\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/.*$/gm;

/** The module specifiers a source text imports. */
function importsOf(text) {
  return [...text.replace(COMMENTS, '$1').matchAll(SPECIFIER)].map((m) => m[2]);
}

/** The package a bare specifier names: `ws`, `@scope/name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/**
 * The imports of one package's sources that break its boundary: [{ file, specifier, why }].
 * `allowed(file, name)` says whether a bare package name may be imported from that file.
 */
function check(srcDir, allowed, read = (f) => fs.readFileSync(f, 'utf8'), files = sources(srcDir)) {
  const found = [];
  for (const file of files) {
    for (const specifier of importsOf(read(file))) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        if (path.relative(srcDir, target).startsWith('..')) found.push({ file, specifier, why: `reaches out of ${path.relative(root, srcDir)}` });
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(packageOf(specifier)) && !allowed(file, packageOf(specifier))) {
        found.push({ file, specifier, why: 'is not a dependency of this package' });
      }
    }
  }
  return found;
}

/**
 * Folders of one package that import each other (`a -> b` and `b -> a`, relative imports only): imports between
 * folders run one way. Returns [{ file, specifier, why }], one per import that runs back.
 */
function folderCycles(srcDir, read = (f) => fs.readFileSync(f, 'utf8'), files = sources(srcDir)) {
  const arrows = new Map(); // "from\0to" -> first import seen
  for (const file of files) {
    for (const specifier of importsOf(read(file)).filter((s) => s.startsWith('.'))) {
      const from = path.dirname(file);
      const to = path.dirname(path.resolve(from, specifier));
      if (from !== to && !arrows.has(`${from}\0${to}`)) arrows.set(`${from}\0${to}`, { file, specifier, from, to });
    }
  }
  return [...arrows.values()]
    .filter((a) => arrows.has(`${a.to}\0${a.from}`))
    .map((a) => ({ file: a.file, specifier: a.specifier, why: `makes ${path.relative(srcDir, a.from) || '.'} and ${path.relative(srcDir, a.to) || '.'} import each other` }));
}

function manifest(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/** Every boundary problem of the workspace, Node-RED package first. */
function problems(options = {}) {
  const nodes = manifest(root);
  const serverDir = path.join(root, 'packages', 'sagemaker-local');
  const server = manifest(serverDir);
  const nodeDeps = new Set([...Object.keys(nodes.dependencies), ...Object.keys(nodes.devDependencies)].filter((n) => n !== server.name));
  const serverRuntime = new Set(Object.keys(server.dependencies ?? {}));
  const serverDev = new Set([...serverRuntime, ...Object.keys(server.devDependencies ?? {})]);
  const serverSrc = path.join(serverDir, 'src');
  const testServers = path.join(serverSrc, 'test-servers');
  return [
    ...check(path.join(root, 'src'), (_file, name) => nodeDeps.has(name), options.read, options.nodeFiles),
    ...folderCycles(path.join(root, 'src'), options.read, options.nodeFiles),
    ...check(serverSrc, (file, name) => (file.startsWith(testServers) ? serverDev : serverRuntime).has(name), options.read, options.serverFiles),
  ];
}

if (require.main === module) {
  const found = problems();
  for (const p of found) console.error(`${path.relative(root, p.file)}: import '${p.specifier}' ${p.why}`);
  if (found.length > 0) {
    console.error('The Node-RED package and sagemaker-local import nothing from each other, and the folders of the nodes\' src/ import one way (README, "How the code is laid out").');
    process.exit(1);
  }
}

module.exports = { importsOf, problems, check, folderCycles };
