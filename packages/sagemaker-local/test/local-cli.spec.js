'use strict';
// The `sagemaker-local` configuration (pure: file shape, flags, errors that name the field) and the command
// itself as a child process: --help, exit codes for a bad configuration, serving, a log line per request, SIGINT.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { validateConfig, parseCommandLine, parseConfigText, mergeConfig, ConfigError, DEFAULT_PORT } = require('../dist');

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const KEY = { accessKeyId: 'AKIACLITEST0001', secretAccessKey: 'cli-test-secret/not+real' };
const base = { credentials: [KEY], endpoints: { ep: { model: 'demo' } } };

function configError(fn) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    assert.ok(!err.message.includes(KEY.secretAccessKey), 'no secret in a config error');
    return err.message;
  }
  throw new assert.AssertionError({ message: 'expected a ConfigError' });
}

describe('sagemaker-local configuration', function () {
  it('fills in the defaults', function () {
    const c = validateConfig(base);
    assert.deepEqual(
      { host: c.host, port: c.port, region: c.region, accountId: c.accountId, log: c.log },
      { host: '127.0.0.1', port: DEFAULT_PORT, region: 'us-east-1', accountId: '123456789012', log: true },
    );
    assert.deepEqual(c.endpoints, { ep: { kind: 'demo' } });
  });

  it('reads every route kind with its options', function () {
    const c = validateConfig({
      ...base,
      endpoints: {
        a: { model: 'demo', threshold: 2.5, throttle: { rate: 5, burst: 10 } },
        b: { container: 'http://127.0.0.1:8080/', timeoutSeconds: 30 },
      },
    });
    assert.deepEqual(c.endpoints, {
      a: { kind: 'demo', threshold: 2.5, throttle: { rate: 5, burst: 10 } },
      b: { kind: 'container', url: 'http://127.0.0.1:8080', timeoutSeconds: 30 },
    });
  });

  it('names the field and the rule of each mistake, in the file\'s own words', function () {
    const cases = [
      [{ ...base, port: 70000 }, /^cfg\.json: port must be a whole number from 0 to 65535 \(got 70000\)$/],
      [{ ...base, region: 'Mars' }, /region must be an AWS region such as us-east-1 \(got "Mars"\)/],
      [{ ...base, accountId: '12' }, /accountId must be 12 digits/],
      [{ ...base, prot: 1 }, /prot is not a known setting \(known: host, port/],
      [{ ...base, credentials: [] }, /credentials must list at least one key pair/],
      [{ ...base, credentials: [{ accessKeyId: 'A/B', secretAccessKey: 'x' }] }, /credentials\[0\]\.accessKeyId must be 1 to 128 letters/],
      [{ ...base, credentials: [{ accessKeyId: 'A', secretAccessKey: '' }] }, /credentials\[0\]\.secretAccessKey must be a non-empty text$/],
      [{ ...base, credentials: [KEY, KEY] }, /credentials\[1\]\.accessKeyId is listed twice/],
      [{ ...base, endpoints: {} }, /endpoints must route at least one endpoint name/],
      [{ ...base, endpoints: { 'bad name': { model: 'demo' } } }, /endpoints\["bad name"\] is not an endpoint name/],
      [{ ...base, endpoints: { ep: {} } }, /endpoints\.ep must name exactly one of "model"/],
      [{ ...base, endpoints: { ep: { model: 'xgboost' } } }, /endpoints\.ep\.model must be "demo"/],
      [{ ...base, endpoints: { ep: { container: 'ftp://x:1' } } }, /endpoints\.ep\.container must be a URL like http:\/\/127\.0\.0\.1:8080/],
      [{ ...base, endpoints: { ep: { container: 'http://x:1/invocations' } } }, /no path/],
      [{ ...base, endpoints: { ep: { container: 'http://x:1', timeoutSeconds: 0 } } }, /endpoints\.ep\.timeoutSeconds must be a whole number from 1 to 3600/],
      [{ ...base, endpoints: { ep: { model: 'demo', throttle: { rate: 0 } } } }, /endpoints\.ep\.throttle\.rate must be a number above 0/],
      [{ ...base, endpoints: { ep: { model: 'demo', throttle: { rate: 1, burst: 0.5 } } } }, /endpoints\.ep\.throttle\.burst must be a whole number/],
      [{ ...base, endpoints: { ep: { model: 'demo', timeoutSeconds: 3 } } }, /endpoints\.ep\.timeoutSeconds is not a known setting/],
      [{ ...base, log: 'yes' }, /log must be true or false/],
    ];
    for (const [raw, pattern] of cases) assert.match(configError(() => validateConfig(raw, 'cfg.json')), pattern);
  });

  it('takes flags, which win over the file and add endpoints to it', function () {
    const cli = parseCommandLine([
      '--port', '0', '--demo', 'sensors', '--container', 'box=http://127.0.0.1:9000', '--throttle', 'ep=2:4', '-q',
      '--access-key-id', 'AKIAFLAG', '--secret-access-key', 'flag-secret',
    ]);
    const c = mergeConfig({ ...base, port: 1234 }, cli, 'cfg.json');
    assert.equal(c.port, 0);
    assert.equal(c.log, false);
    assert.deepEqual(c.credentials, [{ accessKeyId: 'AKIAFLAG', secretAccessKey: 'flag-secret' }]);
    assert.deepEqual(Object.keys(c.endpoints).sort(), ['box', 'ep', 'sensors']);
    assert.deepEqual(c.endpoints.ep.throttle, { rate: 2, burst: 4 });
  });

  it('names the flag of each command-line mistake', function () {
    const cases = [
      [['--port', 'x'], /--port must be a number/],
      [['--port', '1.5'], /--port must be a whole number/],
      [['--nope'], /Unknown option '--nope'.*--help/],
      [['--access-key-id', 'A'], /--access-key-id and --secret-access-key go together/],
      [['--container', 'box'], /--container must be NAME=URL/],
      [['--throttle', 'ep=fast'], /--throttle ep: RATE must be a number/],
      [['--throttle', 'ep=1:0'], /--throttle ep: BURST must be a whole number, at least 1/],
    ];
    for (const [argv, pattern] of cases) assert.match(configError(() => parseCommandLine(argv)), pattern);
    assert.match(configError(() => mergeConfig(base, parseCommandLine(['--throttle', 'other=1']))), /--throttle other: there is no endpoint other \(routed: ep\)/);
  });

  it('reports every bad setting at once: a missing key pair does not hide a bad endpoint name', function () {
    const message = configError(() => validateConfig({ port: -1, region: 'Mars', endpoints: { 'bad name!': { model: 'demo', threshold: 0 }, ok: { container: 'ftp://x' } } }, 'cfg.json'));
    assert.equal(message, [
      'cfg.json: 6 problems:',
      '  - port must be a whole number from 0 to 65535 (got -1)',
      '  - region must be an AWS region such as us-east-1 (got "Mars")',
      '  - credentials must list at least one key pair the server accepts, like [{"accessKeyId": "...", "secretAccessKey": "..."}] (or give --access-key-id and --secret-access-key)',
      '  - endpoints["bad name!"] is not an endpoint name: at most 63 letters, digits and hyphens, starting and ending with a letter or digit',
      '  - endpoints.bad name!.threshold must be a number above 0 (got 0)',
      '  - endpoints.ok.container must be a URL like http://127.0.0.1:8080 (http, the container\'s host and port, no path) (got "ftp://x")',
    ].join('\n'));
    // Inside one key pair and one route too, and the list is there for a program to read.
    const err = (() => { try { validateConfig({ credentials: [{ accessKeyId: 'A/B', secretAccessKey: '', extra: 1 }], endpoints: { ep: { model: 'demo', throttle: { rate: 0, burst: 0 } } } }); } catch (e) { return e; } })();
    assert.deepEqual(err.problems, [
      'the configuration: credentials[0].extra is not a known setting (known: accessKeyId, secretAccessKey, sessionToken, deny)',
      'the configuration: credentials[0].accessKeyId must be 1 to 128 letters, digits or underscores (got "A/B")',
      'the configuration: credentials[0].secretAccessKey must be a non-empty text',
      'the configuration: endpoints.ep.throttle.rate must be a number above 0 (got 0)',
      'the configuration: endpoints.ep.throttle.burst must be a whole number from 1 to 1000000 (got 0)',
    ]);
    assert.match(configError(() => parseCommandLine(['--port', '1.5', '--throttle', 'a=0', '--container', 'box'])),
      /^3 problems:\n {2}- --port must be a whole number.*\n {2}- --container must be NAME=URL.*\n {2}- --throttle a: RATE must be above 0/);
  });

  it('refuses one endpoint name routed two ways on the command line', function () {
    assert.equal(configError(() => parseCommandLine(['--demo', 'x', '--container', 'x=http://127.0.0.1:8080'])),
      '--demo x and --container x=http://127.0.0.1:8080 both route endpoint x: give one route per endpoint name');
    assert.match(configError(() => parseCommandLine(['--container', 'x=http://127.0.0.1:1', '--container', 'x=http://127.0.0.1:2'])), /both route endpoint x/);
    assert.deepEqual(parseCommandLine(['--demo', 'x', '--demo', 'x']).flags.endpoints, { x: { model: 'demo' } }, 'the same route twice is harmless');
  });

  it('says what is wrong with a negative port instead of calling the flag ambiguous', function () {
    for (const argv of [['--port', '-1'], ['-p', '-1'], ['--port=-1']]) {
      assert.equal(configError(() => parseCommandLine([...argv, '--demo', 'x'])), '--port must be a whole number from 0 to 65535 (got -1)');
    }
    assert.match(configError(() => parseCommandLine(['--throttle', '-1'])), /--throttle must be NAME=RATE\[:BURST\]/);
  });

  it('reads a file saved with a UTF-8 byte-order mark, and gives the line and column of a JSON mistake', function () {
    assert.deepEqual(parseConfigText(`\uFEFF${JSON.stringify(base)}`, 'bom.json'), base);
    const cases = [
      ['{\n  "port": 1,\n}', 'line 3, column 1: expected a property name in double quotes, found \'}\''],
      ['{\n  "port": 1\n  "log": true\n}', 'line 3, column 3: expected \',\' or \'}\' after a property value, found \'"\''],
      ['{"endpoints": {"a": {"model": demo}}}', 'line 1, column 31: expected a value (an object, array, text in double quotes, number, true, false or null), found \'d\''],
      ['{\n  "credentials": [\n    {"accessKeyId": "A"}', 'line 3, column 25: expected \',\' or \']\' after an array item, found the end of the file'],
      ["{'port': 1}", "line 1, column 2: expected a property name in double quotes, found '''"],
      ['{"host": "a\nb"}', 'line 1, column 12: a text cannot hold a line break or another control character: write it as an escape such as \\n'],
      ['{"port": 1} x', 'line 1, column 13: expected the end of the file after the JSON value, found \'x\''],
      ['', 'line 1, column 1: expected a value (an object, array, text in double quotes, number, true, false or null), found the end of the file'],
    ];
    for (const [text, where] of cases) assert.equal(configError(() => parseConfigText(text, 'cfg.json')), `cfg.json: not valid JSON: ${where}`, JSON.stringify(text));
  });
});

describe('the sagemaker-local command', function () {
  this.timeout(30000);
  const run = (args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20000 });

  it('--help prints the usage with the flags and the file format, and exits 0', function () {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: sagemaker-local \[options\]/);
    for (const flag of ['--config', '--port', '--demo', '--container', '--throttle', '--access-key-id']) assert.ok(r.stdout.includes(flag), flag);
    assert.match(r.stdout, /"endpoints": \{/);
  });

  it('exits 2 with the field named for a bad configuration, file or flags', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-local-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...base, endpoints: { ep: { container: 'localhost:8080' } } }));
    let r = run(['--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^sagemaker-local: .*bad\.json: endpoints\.ep\.container must be a URL like http:\/\/127\.0\.0\.1:8080/);
    fs.writeFileSync(file, '{"port": 1,}');
    r = run(['--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json: not valid JSON: line 1, column 12: expected a property name/);
    fs.writeFileSync(file, '{"endpoints": {"bad name": {"model": "demo"}}}');
    r = run(['--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json: 2 problems:\n {2}- credentials must list at least one key pair.*\n {2}- endpoints\["bad name"\] is not an endpoint name/);
    r = run(['--port', '-1', '--demo', 'x']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'sagemaker-local: --port must be a whole number from 0 to 65535 (got -1)\n');
    r = run(['--demo', 'x', '--container', 'x=http://127.0.0.1:8080', '--access-key-id', 'A', '--secret-access-key', 'b']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--demo x and --container x=http:\/\/127\.0\.0\.1:8080 both route endpoint x/);
    fs.writeFileSync(file, `\uFEFF${JSON.stringify({ ...base, port: 0 })}`, 'utf8');
    assert.equal(require('../dist').loadConfig(['--config', file]).port, 0, 'a byte-order mark is read past');
    r = run(['--config', path.join(dir, 'missing.json')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing\.json: cannot read it \(ENOENT\)/);
    r = run(['--demo', 'ep']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /credentials must list at least one key pair/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the demo model, logs one line per request without the secret, and stops on SIGINT with exit 0', async function () {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--demo', 'sensors', '--access-key-id', KEY.accessKeyId, '--secret-access-key', KEY.secretAccessKey], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const until = async (re) => {
      while (!re.test(out)) {
        if (child.exitCode !== null) throw new Error(`sagemaker-local exited:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return re.exec(out);
    };
    const url = (await until(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
    assert.match(out, /sensors -> the built-in demo model/);
    const sm = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: { ...KEY }, maxAttempts: 1 });
    const res = await sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: '{"series": "s", "value": 1}', ContentType: 'application/json' }));
    assert.equal(JSON.parse(Buffer.from(res.Body).toString()).series, 's');
    sm.destroy();
    await until(/POST \/endpoints\/sensors\/invocations 200 - \d+ms/);
    assert.ok(!out.includes(KEY.secretAccessKey), 'the secret is never printed');
    child.kill('SIGINT');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.match(out, /SIGINT: closing/);
  });

  it('exits 1 with a clear message when the port is taken', async function () {
    const net = require('node:net');
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    const r = run(['--port', String(blocker.address().port), '--demo', 'ep', '--access-key-id', 'A', '--secret-access-key', 'b']);
    blocker.close();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot listen: port \d+ on 127\.0\.0\.1 is in use/);
    assert.doesNotMatch(r.stderr, /warning/, 'loopback is what it is for: no warning');
  });

  it('warns when --host is not loopback: its only protection is a SigV4 check against made-up keys', function () {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine, so the listen fails after the warning and nothing is exposed.
    const r = run(['--host', '192.0.2.1', '--port', '0', '--demo', 'ep', '--access-key-id', 'A', '--secret-access-key', 'b']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^sagemaker-local: warning: listening on 192\.0\.2\.1, not only on this machine's loopback: .*only protection is a SigV4 check against the made-up keys/m);
    const { isLoopback } = require('../dist/config/command-line');
    assert.deepEqual(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'].filter((h) => !isLoopback(h)), []);
    assert.deepEqual(['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1'].filter(isLoopback), []);
  });
});
