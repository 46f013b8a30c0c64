// What Node-RED loads for the sagemaker-invoke node: the compiled entry (built from src/nodes/sagemaker-invoke.ts into dist/ by
// `npm install`), beside this node's editor HTML, help and locale files.
'use strict';
module.exports = require('../dist/nodes/sagemaker-invoke.js');
