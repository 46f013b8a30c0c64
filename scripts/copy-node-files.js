// Lays out dist/nodes/ as Node-RED loads a node: beside each compiled entry (dist/nodes/<type>.js, from
// src/nodes/<type>.ts) its editor HTML, and the locales/ and icons/ folders, copied from the hand-written nodes/.
// package.json's "node-red".nodes points at dist/nodes/, so what Node-RED loads is all built output.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const from = path.join(root, 'nodes');
const to = path.join(root, 'dist', 'nodes');
for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
  if (entry.isFile() && !entry.name.endsWith('.html')) throw new Error(`nodes/${entry.name}: nodes/ holds only editor HTML, locales/ and icons/`);
  fs.cpSync(path.join(from, entry.name), path.join(to, entry.name), { recursive: true });
}
