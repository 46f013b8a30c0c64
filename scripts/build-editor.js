// Bundles src/editor/shared.ts (the public names and field rules from src/lib) into one browser script that
// Node-RED serves to the editor as resources/node-red-contrib-sagemaker-runtime/editor-shared.js.
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
// And src/editor/live.ts (the "SageMaker" sidebar tab's history, charts and words) into resources/sagemaker-live.js.
for (const [entry, out] of [['shared', 'editor-shared'], ['live', 'sagemaker-live']]) esbuild.buildSync({
  entryPoints: [path.join(root, `src/editor/${entry}.ts`)],
  outfile: path.join(root, `resources/${out}.js`),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
});
