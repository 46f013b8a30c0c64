'use strict';
// The Node-RED package and sagemaker-local (packages/sagemaker-local) import nothing from each other, and the
// server's shipped code imports only its own dependencies, so its tarball runs alone. scripts/check-boundaries.js
// checks it during `npm run build`; this test runs the same check and proves it catches each kind of breach.
const assert = require('node:assert/strict');
const path = require('node:path');
const { problems, importsOf, folderCycles } = require('../../scripts/check-boundaries');

const root = path.join(__dirname, '..', '..');
const nodeFile = path.join(root, 'src', 'invoke', 'call.ts');
const serverFile = path.join(root, 'packages', 'sagemaker-local', 'src', 'runtime', 'wire.ts');
const testServerFile = path.join(root, 'packages', 'sagemaker-local', 'src', 'test-servers', 'certs.ts');

describe('package boundaries: the nodes and the server import nothing from each other', function () {
  it('holds for every source file of both packages', function () {
    assert.deepEqual(problems().map((p) => `${path.relative(root, p.file)}: ${p.specifier} ${p.why}`), []);
  });

  it('reads every form of import, and none in comments', function () {
    const text = "import { a,\n  b } from '../x';\nexport { c } from './y';\nimport 'z';\nconst q = require('sagemaker-local');\n" +
      "const l = await import('lazy');\n// require('not-this')\n/* import x from 'nor-this' */\nimport type { T } from \"w\";\n";
    assert.deepEqual(importsOf(text), ['../x', './y', 'z', 'sagemaker-local', 'lazy', 'w']);
  });

  it('catches a node importing the server by name or by path, and the server importing the nodes or a package it does not list', function () {
    const planted = new Map([
      [nodeFile, "import { startLocalServer } from 'sagemaker-local';\nimport { x } from '../../packages/sagemaker-local/src/local';\nimport { y } from '../shared/names';\n"],
      [serverFile, "import { z } from '../../../../src/invoke/call';\nimport { S } from '@aws-sdk/client-sagemaker-runtime';\nimport WebSocket from 'ws';\nimport { createHash } from 'crypto';\nimport { a } from '../io/crc';\n"],
      [testServerFile, "import { WebSocketServer } from 'ws';\nimport { SignatureV4 } from '@smithy/signature-v4';\n"],
    ]);
    const found = problems({ read: (f) => planted.get(f), nodeFiles: [nodeFile], serverFiles: [serverFile, testServerFile] });
    assert.deepEqual(found.map((p) => [path.basename(p.file), p.specifier, p.why]), [
      ['call.ts', 'sagemaker-local', 'is not a dependency of this package'],
      ['call.ts', '../../packages/sagemaker-local/src/local', 'reaches out of src'],
      ['wire.ts', '../../../../src/invoke/call', 'reaches out of packages/sagemaker-local/src'],
      ['wire.ts', '@aws-sdk/client-sagemaker-runtime', 'is not a dependency of this package'],
    ]);
  });

  it('catches two folders of the nodes\' src/ that import each other, and lets one-way imports be', function () {
    const src = path.join(root, 'src');
    const at = (...p) => path.join(src, ...p);
    const planted = new Map([
      [at('invoke', 'modes.ts'), "import { waitForResult } from './async/wait';\nimport { x } from '../shared/names';\n"],
      [at('invoke', 'async', 'wait.ts'), "import type { InvokeRequest } from '../prepare';\nimport { y } from '../../shared/rules';\n"],
      [at('shared', 'names.ts'), "export const a = 1;\n"],
    ]);
    const found = folderCycles(src, (f) => planted.get(f), [...planted.keys()]);
    assert.deepEqual(found.map((p) => [path.relative(src, p.file), p.specifier, p.why]), [
      ['invoke/modes.ts', './async/wait', 'makes invoke and invoke/async import each other'],
      ['invoke/async/wait.ts', '../prepare', 'makes invoke/async and invoke import each other'],
    ]);
    planted.set(at('invoke', 'async', 'wait.ts'), "import { y } from '../../shared/rules';\n");
    assert.deepEqual(folderCycles(src, (f) => planted.get(f), [...planted.keys()]), []);
  });
});
