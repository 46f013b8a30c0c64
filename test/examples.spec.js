'use strict';
// The shipped examples and the demo flow as a person imports them, read as files: nothing fires before the user
// presses a button, every example that calls an endpoint has a Catch node for its failures, importing one example
// after another raises no "nodes already exist" conflict, and each example's config node can be told apart in the
// Configuration nodes list. (Each example is imported, deployed and run in test/e2e/*.spec.js; their Info texts are
// rendered with the editor's Markdown there too.)
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const exampleFiles = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).sort();
const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const flows = [['demo/flows.json', read('demo/flows.json')], ...exampleFiles.map((f) => [`examples/${f}`, read(`examples/${f}`)])];
const CALLERS = ['sagemaker-invoke', 'sagemaker-bidi'];

describe('the examples and the demo flow', function () {
  it('ship examples numbered from 01 without a gap, each listed in the README', function () {
    assert.ok(exampleFiles.length >= 9);
    assert.deepEqual(exampleFiles.map((f) => f.slice(0, 2)), exampleFiles.map((_, i) => String(i + 1).padStart(2, '0')));
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const f of exampleFiles) assert.ok(readme.includes(`| ${f.replace(/\.json$/, '')} |`), `${f} in the README's examples table`);
  });

  it('send nothing on their own: no inject fires on deploy or repeats (a button starts anything that repeats)', function () {
    const unasked = [];
    for (const [file, flow] of flows) {
      for (const n of flow.filter((x) => x.type === 'inject')) {
        if (n.once || (n.repeat && String(n.repeat).trim()) || (n.crontab && n.crontab.trim())) unasked.push(`${file}: "${n.name}"`);
      }
    }
    assert.deepEqual(unasked, []);
  });

  it('give every example that calls an endpoint a Catch node that takes its failures', function () {
    const missing = [];
    for (const [file, flow] of flows.filter(([f]) => f.startsWith('examples/'))) {
      for (const caller of flow.filter((n) => CALLERS.includes(n.type))) {
        const caught = flow.some((n) => n.type === 'catch' && n.z === caller.z && (!Array.isArray(n.scope) || n.scope.includes(caller.id)) && n.wires.flat().length > 0);
        if (!caught) missing.push(`${file}: ${caller.type} "${caller.name || caller.id}"`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('use no node id in two examples, so importing them one after another raises no conflict', function () {
    const owner = new Map();
    const shared = [];
    for (const [file, flow] of flows.filter(([f]) => f.startsWith('examples/'))) {
      for (const n of flow) {
        if (owner.has(n.id)) shared.push(`${n.id} (${n.type}) in ${owner.get(n.id)} and ${file}`);
        else owner.set(n.id, file);
      }
    }
    assert.deepEqual(shared, []);
  });

  it('name each example\'s config node so it can be told apart in the Configuration nodes list', function () {
    const names = flows.filter(([f]) => f.startsWith('examples/')).map(([file, flow]) => {
      const configs = flow.filter((n) => n.type === 'sagemaker-config');
      assert.equal(configs.length, 1, `${file} has one config node`);
      const { name, region } = configs[0];
      assert.ok(name && name.trim() && name !== region, `${file}: the config node is named (not only its region): "${name}"`);
      return name;
    });
    assert.equal(new Set(names).size, names.length, `every name differs: ${names.join(', ')}`);
  });
});

describe('the words a newcomer reads about the config node', function () {
  const shipped = [
    'README.md', 'nodes/locales/en-US/sagemaker-config.json', 'nodes/locales/en-US/sagemaker-config.html',
    'nodes/locales/en-US/sagemaker-bidi.html', 'nodes/locales/en-US/sagemaker-invoke.html', 'demo/flows.json',
    ...exampleFiles.map((f) => `examples/${f}`),
  ];

  it('name the bidi node\'s HTTP/2 URL after the bidi node, never "Stream URL" (which reads as the invoke node\'s stream mode)', function () {
    const label = require('../nodes/locales/en-US/sagemaker-config.json')['sagemaker-config'].label.bidiEndpointUrl;
    assert.match(label, /bidi/i);
    // In any case: "the stream URL" in the README's or the help's prose reads the same way.
    const stale = shipped.filter((f) => /Stream URL/i.test(fs.readFileSync(path.join(root, f), 'utf8')));
    assert.deepEqual(stale, []);
  });
});

describe('the words of stream mode\'s Split choice', function () {
  const invoke = require('../nodes/locales/en-US/sagemaker-invoke.json')['sagemaker-invoke'];
  const help = fs.readFileSync(path.join(root, 'nodes/locales/en-US/sagemaker-invoke.html'), 'utf8');

  it('say that lines cuts a text/event-stream answer into events, and the help names each choice as the dialog does', function () {
    const label = invoke.streamSplit.lines;
    assert.match(label, /newlines/);
    assert.match(label, /events/);
    assert.match(label, /text\/event-stream/);
    for (const choice of Object.values(invoke.streamSplit)) assert.ok(help.includes(`<b>${choice}</b>`), `the help names "${choice}"`);
  });
});
