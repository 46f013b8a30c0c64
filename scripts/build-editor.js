// Bundles src/editor/shared.ts (the public names and field rules from src/lib) into one browser script that
// Node-RED serves to the editor as resources/node-red-contrib-sagemaker-runtime/editor-shared.js.
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild.buildSync({
  entryPoints: [path.join(root, 'src/editor/shared.ts')],
  outfile: path.join(root, 'resources/editor-shared.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
});
