#!/usr/bin/env node
// The Node-RED flow library's scorecard: runs `node-red-dev validate` (the flow library's own tool, unmodified) on
// this package and records its output in test-artifacts/scorecard.txt and test-artifacts/scorecard.json.
//
// Without a network, the tool stops at its first request to catalogue.nodered.org (checks P08, similar names, and
// N01, duplicate node types), which it cannot reach, and never runs the checks after it. So when that host does not
// answer, this script tells the tool "not reachable" in a way it can go on from: the catalogue requests get an empty
// catalogue, and P08 and N01 are then reported as NOT RUN (never as passed), with the reason. Everything else runs
// as the tool runs it: the package checks, the examples check, and the dependency checks against the npm registry
// (the only network this project uses). The dependency-tree walk of D02 (npm-remote-ls, one registry request per
// package in the tree) is given the tree as installed, from package-lock.json, instead of asking the registry.
// Exit status 1 when any check that ran failed, or the tool could not read a node definition.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'test-artifacts');
const CATALOGUE = 'https://catalogue.nodered.org/catalogue.json';
const NETWORK_CHECKS = {
  P08: { what: 'similar package names (needs catalogue.nodered.org)', toolSays: '✅ No similar named packages found' },
  N01: { what: 'duplicate node types (needs catalogue.nodered.org)', toolSays: '✅ Nodes all have unique names' },
};

/**
 * Warnings the flow library's guidance lets a package answer in its README rather than avoid: D01 (more than six
 * dependencies) when the README says why (its "Dependencies" paragraph: the SageMaker API client of endpoint
 * discovery). Reported as "warn (explained in the README)", never as passed; without the README's words, a failure.
 */
const EXPLAINED = {
  D01: { readme: /scorecard warns past six \(check D01\)/, why: 'seven dependencies: the README\'s "Dependencies" paragraph says why' },
};

async function reachable(url) {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(10000) });
    return res.ok ? '' : `HTTP ${res.status}`;
  } catch (err) {
    return (err.cause && err.cause.code) || err.message;
  }
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const json = path.join(out, 'scorecard.json');
  fs.rmSync(json, { force: true });
  const unreachable = await reachable(CATALOGUE);
  const cli = require.resolve('node-red-dev/bin/run', { paths: [root] });
  const args = [cli, 'validate', '--path', root, '--output', json];
  const env = { ...process.env };
  if (unreachable) {
    args.unshift('--require', path.join(__dirname, 'scorecard-offline.js'));
    env.SCORECARD_OFFLINE_REASON = `${new URL(CATALOGUE).host} unreachable (${unreachable})`;
  }
  const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let output = `$ node-red-dev validate --path . --output test-artifacts/scorecard.json\n${run.stdout}${run.stderr}`;

  let card = {};
  try { card = JSON.parse(fs.readFileSync(json, 'utf8')); } catch { /* the tool stopped before writing it */ }
  const notRun = {};
  if (unreachable) {
    for (const [id, { what, toolSays }] of Object.entries(NETWORK_CHECKS)) {
      notRun[id] = `NOT RUN: ${what}: ${env.SCORECARD_OFFLINE_REASON}`;
      card[id] = { test: null, notRun: notRun[id] };
      // The tool's pass line for a check that had an empty catalogue to look at would not be true.
      output = output.replace(toolSays, `-- ${id} ${notRun[id]}`);
    }
    fs.writeFileSync(json, JSON.stringify(card, null, 2));
  }
  const checks = Object.entries(card).filter(([id]) => /^[A-Z]\d\d$/.test(id)).sort(([a], [b]) => a.localeCompare(b));
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const explained = (id) => Boolean(EXPLAINED[id] && EXPLAINED[id].readme.test(readme));
  const failed = checks.filter(([id, c]) => c.test === false && !explained(id)).map(([id]) => id);
  const problems = [];
  if (run.status !== 0) problems.push(`node-red-dev exited with status ${run.status}`);
  if (/Unable to parse/.test(output)) problems.push('node-red-dev could not read a node definition ("Unable to parse")');
  if (!checks.length) problems.push('no scorecard was written');
  if (failed.length) problems.push(`failed: ${failed.join(', ')}`);
  for (const id of ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'N02', 'D01', 'D02', 'D03']) {
    if (!card[id]) problems.push(`${id} did not run`);
  }
  const summary = [
    '',
    '--- summary ---',
    ...checks.map(([id, c]) => `${id} ${c.test === true ? 'pass' : c.test === false ? (explained(id) ? `warn (explained in the README: ${EXPLAINED[id].why})` : 'FAIL') : c.notRun}`),
    problems.length ? `RESULT: problems: ${problems.join('; ')}` : `RESULT: every check that can run passed${unreachable ? ' (P08 and N01 need the network)' : ''}`,
  ].join('\n');
  fs.writeFileSync(path.join(out, 'scorecard.txt'), `${output}${summary}\n`);
  process.stdout.write(`${output}${summary}\n(recorded in test-artifacts/scorecard.txt and scorecard.json)\n`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
