// Empties dist/ before a build, so a source file that was moved or deleted leaves no stale compiled copy behind.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

fs.rmSync(path.join(__dirname, '..', 'dist'), { recursive: true, force: true });
