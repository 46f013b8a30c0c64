'use strict';
// Preloaded into `node-red-dev validate` by scripts/scorecard.js only when catalogue.nodered.org cannot be reached.
// 1. The tool's requests for the flow library's catalogue get an empty catalogue instead of an error that would end
//    the run; scripts/scorecard.js then reports P08 and N01, the checks that need it, as not run.
// 2. D02 walks the production dependency tree with npm-remote-ls, one registry request per package; it gets the
//    tree as npm installed it instead, from package-lock.json, and applies the tool's own list of bad packages to it.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const reason = process.env.SCORECARD_OFFLINE_REASON || 'catalogue unreachable';
const catalogueHost = 'catalogue.nodered.org';

function fromTool(request) {
  return require(Module.createRequire(require.resolve('node-red-dev/package.json')).resolve(request));
}

const axios = fromTool('axios');
const get = axios.get.bind(axios);
axios.get = function (url, ...rest) {
  if (String(url).includes(catalogueHost)) {
    console.log(`    [offline] ${url}: ${reason}; the check that needs it is reported NOT RUN`);
    return Promise.resolve({ data: { modules: [] } });
  }
  return get(url, ...rest);
};

// The production packages npm installed, as "name@version", for a dependency named `name`.
function installedTree(name) {
  const lock = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'package-lock.json'), 'utf8'));
  const packages = lock.packages || {};
  const seen = new Set();
  const list = [];
  const visit = (pkgPath) => {
    if (seen.has(pkgPath) || !packages[pkgPath]) return;
    seen.add(pkgPath);
    const pkg = packages[pkgPath];
    const pkgName = pkgPath.slice(pkgPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
    list.push(`${pkgName}@${pkg.version}`);
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      // Node's resolution: the nearest node_modules up from this package.
      let dir = pkgPath;
      for (;;) {
        const candidate = `${dir}/node_modules/${dep}`;
        if (packages[candidate]) { visit(candidate); break; }
        const up = dir.lastIndexOf('/node_modules/');
        if (up === -1) { visit(`node_modules/${dep}`); break; }
        dir = dir.slice(0, up);
      }
    }
  };
  visit(`node_modules/${name}`);
  return list;
}

const remoteLs = fromTool('npm-remote-ls');
remoteLs.ls = function (name, version, flatten, cb) {
  const list = installedTree(name);
  console.log(`    [offline] D02: ${name}'s dependency tree as installed (package-lock.json): ${list.length} packages`);
  cb(list);
};
