'use strict';
// Node-RED's real i18n with the package's locale files, namespaced as Node-RED namespaces a node set, so tests read
// the words a user reads: the config and invoke nodes' catalogs, and the words of a discovery problem's phrase
// (src/discovery/problems) as the discovery routes say them.
const path = require('node:path');
const { i18n } = require('@node-red/util');
const { MODULE_NAME } = require('../dist/shared/names');

const dir = path.join(__dirname, '../nodes/locales');
i18n.init({ lang: 'en-US' });
/** Resolves once the config and invoke nodes' catalogs are registered. */
const localesReady = Promise.all(
  ['sagemaker-config', 'sagemaker-invoke'].map((set) => i18n.registerMessageCatalog(`${MODULE_NAME}/${set}`, dir, `${set}.json`)),
);

/** A phrase ({ catalog: 'config' | 'invoke', key, params }) in words, from its node's catalog. */
const phraseWords = (p) => i18n._(`${MODULE_NAME}/sagemaker-${p.catalog}:sagemaker-${p.catalog}.${p.key}`, p.params);

module.exports = { localesReady, phraseWords };
