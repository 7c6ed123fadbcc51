// `npm run bench`: gateway overhead, translation cost and streaming scale, side by side with the mock
// upstream called directly, a bare Node reverse proxy (the baseline) and peer gateways from npm.
// Everything runs on 127.0.0.1; see bench/README.md for the scenarios and how to read the table.
//
//   node bench/run.mjs [--quick] [--only relay-c1,relay-c32,...] [--duration S] [--rounds N]
//                      [--concurrency N] [--streams N] [--no-peers] [--out FILE]
//                      [--switchyard-config JSON] [--compare-dist DIR] [--compare-config JSON]
//                      [--compare-node-flags "FLAGS"] [--cpu-prof]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fetch } from 'undici';
import { cannon, cpuMs, interleavedSequential, sequential, swarm } from './lib/load.mjs';
import { fdLimits, freePort, rssOfTree, sampleRss, spawnNode, stop, waitForHttp } from './lib/proc.mjs';
import { claudeCodeHeaders, claudeCodeRequest, SMALL_ANTHROPIC, SMALL_ANTHROPIC_STREAM } from './lib/requests.mjs';
import {
  AGP_NOTE,
  baselineTarget,
  ccrTarget,
  directTarget,
  peersInstalled,
  PEERS_DIR,
  portkeyTarget,
  switchyardTarget,
} from './lib/targets.mjs';
import { formatTranslation, translationBench } from './translate.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--compare-node-flags` takes Node flags, which start with a dash: parseArgs refuses such a value as
// ambiguous unless written `--compare-node-flags=--flag`, so the usage line's form is joined here.
const args = process.argv.slice(2);
for (let i = 0; i < args.length - 1; i++) if (args[i] === '--compare-node-flags') args.splice(i, 2, `${args[i]}=${args[i + 1]}`);
const { values: opts } = parseArgs({
  args,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    streams: { type: 'string' },
    'no-peers': { type: 'boolean', default: false },
    out: { type: 'string' },
    'switchyard-config': { type: 'string' },
    'compare-dist': { type: 'string' },
    'compare-node-flags': { type: 'string' },
    'compare-config': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'c1-turns': { type: 'boolean', default: false },
  },
});

const quick = opts.quick;
const durationS = Number(opts.duration ?? (quick ? 0.2 : 5));
const rounds = Number(opts.rounds ?? (quick ? 1 : 3));
const warmS = quick ? 0 : 1;
const concurrency = Number(opts.concurrency);
const ALL = ['translate', 'cold-start', 'relay-c1', 'relay-c32', 'relay-stream', 'a2o', 'o2g', 'streams'];
const only = opts.only ? opts.only.split(',') : ALL;
for (const s of only) if (!ALL.includes(s)) throw new Error(`unknown scenario "${s}"; known: ${ALL.join(', ')}`);

const say = (line = '') => process.stdout.write(line + '\n');
const notes = [];
const note = (line) => {
  notes.push(line);
  say(`note: ${line}`);
};

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  say('dist/ is missing: run `npm run build` first (`npm run bench` does).');
  process.exit(2);
}

const workDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const profDir = join(root, 'bench', 'results', 'profiles');
const started = new Date();

// --- Request shapes shared by every target --------------------------------------------------------
const cc = claudeCodeRequest();
const { codecs } = await import('../dist/dialects/index.js');
const ccOpenai = codecs['openai-chat'].encodeRequest(codecs.anthropic.decodeRequest(cc, {}), { upstreamModel: 'mock-model' });
ccOpenai.stream = true;
const ccHeaders = claudeCodeHeaders();
const anthropicHeaders = { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-client' };
const requests = {
  cc,
  ccOpenai,
  ccHeaders,
  anthropicHeaders,
  openaiHeaders: { authorization: 'Bearer sk-client', 'user-agent': 'OpenAI/JS 5.0.0' },
  small: (kind) => (kind === 'relay-stream' ? SMALL_ANTHROPIC_STREAM : SMALL_ANTHROPIC),
};

// --- Processes ------------------------------------------------------------------------------------
const streamsWanted = Number(opts.streams ?? (quick ? 20 : 1000));
// Each stream holds a socket in the client, two in a gateway, one in the mock; leave room.
const fdsNeeded = streamsWanted * 2 + 512;
const limits = fdLimits();
let streamCount = streamsWanted;
if (limits.soft < fdsNeeded) {
  if (limits.hard < fdsNeeded) {
    streamCount = Math.max(10, Math.floor((limits.hard - 512) / 2));
    note(`open-file limit ${limits.soft} (hard ${limits.hard}) is too low for ${streamsWanted} streams; running ${streamCount}.`);
  } else note(`open-file limit ${limits.soft} is below ${fdsNeeded}: children start with \`ulimit -n ${Math.min(fdsNeeded, limits.hard)}\`.`);
}
const spawnOpts = { fds: fdsNeeded };

let mock;
async function startMock() {
  const port = await freePort();
  const child = spawnNode([join(root, 'bench', 'lib', 'mock-upstream.mjs'), '--port', String(port)], { logFile: join(workDir, 'mock.log'), ...spawnOpts });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/__bench/stats`, { child });
  return {
    origin,
    child,
    async configure(cfg) {
      const res = await fetch(`${origin}/__bench/config`, { method: 'POST', body: JSON.stringify(cfg) });
      await res.text();
    },
  };
}

const targets = [];
const skipped = [];
async function setUpTargets() {
  mock = await startMock();
  const direct = directTarget(mock);
  const baseline = baselineTarget(mock, workDir);
  const sy = switchyardTarget(mock, workDir, opts['switchyard-config'] ? JSON.parse(opts['switchyard-config']) : undefined);
  if (opts['cpu-prof']) {
    mkdirSync(profDir, { recursive: true });
    sy.nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  }
  targets.push(direct, baseline, sy);
  if (opts['compare-dist'] || opts['compare-config'] || opts['compare-node-flags']) {
    // A second Switchyard, measured in the same run, alternating with the first: another build
    // (a checkout of another commit, with its own node_modules) and/or other config keys.
    const dist = opts['compare-dist'] ? resolve(opts['compare-dist']) : undefined;
    const other = switchyardTarget(mock, workDir, opts['compare-config'] ? JSON.parse(opts['compare-config']) : undefined, dist);
    other.name = 'switchyard-b';
    if (opts['compare-node-flags']) other.nodeFlags = opts['compare-node-flags'].split(' ').filter(Boolean);
    other.label = `Switchyard B (${[opts['compare-dist'], opts['compare-config'], opts['compare-node-flags']].filter(Boolean).join(', ')})`;
    targets.push(other);
  }
  if (quick || opts['no-peers']) {
    skipped.push(`peer gateways: skipped (${quick ? '--quick' : '--no-peers'})`);
  } else {
    if (!peersInstalled()) {
      say('installing peer gateways into bench/peers (npm ci; once)…');
      try {
        execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS_DIR, stdio: 'inherit' });
      } catch (err) {
        skipped.push(`peer gateways: could not be installed in bench/peers (${err.message.split('\n')[0]})`);
      }
    }
    if (peersInstalled()) targets.push(portkeyTarget(mock, workDir), ccrTarget(mock, workDir));
  }
  skipped.push(AGP_NOTE);
  const failed = await Promise.all(
    targets.map((t) =>
      t.start({ ...spawnOpts, nodeFlags: t.nodeFlags }).then(
        () => undefined,
        (err) => ({ t, err }),
      ),
    ),
  );
  for (const f of failed.filter(Boolean)) {
    skipped.push(`${f.t.label}: could not be started (${f.err.message})`);
    targets.splice(targets.indexOf(f.t), 1);
  }
  for (const s of skipped) note(s);
}

// Each target answers one request of each kind correctly before it is measured; if it does not,
// the table says so instead of measuring how fast it fails.
async function probe(t, kind, spec) {
  const res = await fetch(t.origin + spec.path, { method: 'POST', headers: { 'content-type': 'application/json', ...spec.headers }, body: spec.body });
  const text = await res.text();
  if (res.status !== 200) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  const stream = kind !== 'relay';
  if (stream && !/tok\d+ @/.test(text)) return `no streamed text in the answer: ${text.slice(0, 200)}`;
  if (!stream && !text.includes('mock model')) return `unexpected answer: ${text.slice(0, 200)}`;
  return undefined;
}

// --- Scenarios ------------------------------------------------------------------------------------
const results = { scenarios: [] };

/** Runs `driver` for every target that supports `kind`, `rounds` times, alternating the order. */
async function loadScenario({ id, title, kind, mockConfig, driver, params, interleaved = false }) {
  say(`\n## ${title}`);
  if (quick) driver = drivers.quick(id);
  await mock.configure(mockConfig);
  const rows = [];
  const active = [];
  for (const t of targets) {
    const spec = t.request(kind, requests);
    if (!spec) continue;
    if (spec.unsupported) {
      rows.push({ target: t.name, label: t.label, unsupported: spec.unsupported });
      continue;
    }
    const failure = await probe(t, kind, spec).catch((err) => err.message);
    if (failure) {
      rows.push({ target: t.name, label: t.label, unsupported: `failed the check request: ${failure}` });
      continue;
    }
    active.push({ t, spec, runs: [], rss: 0, cpu: 0 });
  }
  if (warmS > 0) for (const a of active) await driver(a.t, a.spec, warmS); // warm-up, not recorded
  if (interleaved) {
    // --c1-turns: all targets in turns of ~0.1 s for rounds × duration each (see interleavedSequential).
    const runs = await interleavedSequential(
      active.map((a) => ({ ...a.spec, origin: a.t.origin, pid: a.t.pid, rss: () => (a.t.pid ? rssOfTree(a.t.pid) : undefined) })),
      { durationS: durationS * rounds },
    );
    active.forEach((a, i) => {
      a.runs.push(runs[i]);
      a.cpu = runs[i].cpuMs ?? 0;
      a.rss = runs[i].rssBytes ?? 0;
    });
  }
  for (let r = 0; r < (interleaved ? 0 : rounds); r++) {
    const order = r % 2 === 0 ? active : [...active].reverse();
    for (const a of order) {
      const rss = sampleRss(a.t.pid);
      const cpu0 = cpuMs(a.t.pid);
      const run = await driver(a.t, a.spec, durationS);
      const cpu1 = cpuMs(a.t.pid);
      a.rss = Math.max(a.rss, rss.stop() ?? 0);
      if (cpu0 !== undefined && cpu1 !== undefined) a.cpu += cpu1 - cpu0;
      a.runs.push(run);
    }
  }
  for (const a of active) {
    const med = (k) => median(a.runs.map((x) => x[k]));
    const requestsDone = a.runs.reduce((s, x) => s + x.requests, 0);
    rows.push({
      target: a.t.name,
      label: a.t.label,
      rps: med('rps'),
      p50: med('p50'),
      p99: med('p99'),
      errors: a.runs.reduce((s, x) => s + x.errors, 0),
      requests: requestsDone,
      rssMB: a.rss ? a.rss / 2 ** 20 : undefined,
      cpuUsPerReq: a.t.pid && requestsDone ? (a.cpu * 1000) / requestsDone : undefined,
      firstError: a.runs.find((x) => x.firstError)?.firstError,
    });
  }
  addRatios(rows);
  const scenario = { id, title, params: { ...params, mock: mockConfig, durationS, rounds }, rows };
  results.scenarios.push(scenario);
  say(renderLoadTable(scenario));
}

function addRatios(rows) {
  const base = rows.find((r) => r.target === 'baseline' && r.rps !== undefined);
  const direct = rows.find((r) => r.target === 'direct' && r.rps !== undefined);
  for (const r of rows) {
    if (r.rps === undefined) continue;
    if (base) {
      r.rpsVsBaseline = r.rps / base.rps;
      if (r.rssMB && base.rssMB) r.rssVsBaseline = r.rssMB / base.rssMB;
    }
    if (direct && r.target !== 'direct') {
      r.addedP50 = r.p50 - direct.p50;
      r.addedP99 = r.p99 - direct.p99;
    }
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const fmt = (v, d = 1) => (v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const ratio = (v) => (v === undefined || !Number.isFinite(v) ? '' : ` (${v.toFixed(2)}×)`);

function renderLoadTable(s) {
  const lines = [
    '| target | req/s (× baseline) | p50 ms | p99 ms | added p50 / p99 ms | peak RSS MB (× baseline) | CPU µs/req | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of s.rows) {
    if (r.unsupported) {
      lines.push(`| ${r.label} | n/a: ${r.unsupported.replace(/\|/g, '/')} | | | | | | |`);
      continue;
    }
    const d = s.id === 'relay-c1' ? 3 : 0; // autocannon's latencies are whole milliseconds
    lines.push(
      `| ${r.label} | ${fmt(r.rps, 0)}${ratio(r.rpsVsBaseline)} | ${fmt(r.p50, d)} | ${fmt(r.p99, d)} | ${r.addedP50 === undefined ? '—' : `${fmt(r.addedP50, d)} / ${fmt(r.addedP99, d)}`} | ${fmt(r.rssMB, 0)}${ratio(r.rssVsBaseline)} | ${fmt(r.cpuUsPerReq, 0)} | ${r.errors}${r.firstError ? ` (${r.firstError})` : ''} |`,
    );
  }
  return lines.join('\n');
}

const drivers = {
  c1: (t, spec, s) => sequential({ origin: t.origin, ...spec, durationS: s }),
  cN: (t, spec, s) => cannon({ origin: t.origin, ...spec, connections: concurrency, durationS: s }),
  // --quick only checks that everything runs: autocannon (which needs a whole second per run) once
  // against Switchyard, the rest with the light sequential driver.
  quick: (id) => (t, spec, s) =>
    id === 'relay-c32' && t.name === 'switchyard'
      ? cannon({ origin: t.origin, ...spec, connections: concurrency, amount: concurrency * 4 })
      : sequential({ origin: t.origin, ...spec, durationS: s }),
};

/** Restarts every started target, so a scenario's peak RSS is its own and not the heap left by earlier ones. */
async function restartTargets() {
  await Promise.all(targets.map((t) => t.stop()));
  await Promise.all(targets.map((t) => t.start({ ...spawnOpts, nodeFlags: t.nodeFlags })));
}

async function streamsScenario() {
  if (!quick) await restartTargets();
  const chunks = quick ? 10 : 100;
  const latencyMs = quick ? 300 : 5000;
  const title = `4. ${streamCount} concurrent slow streams (Anthropic SSE, mock ${latencyMs / 1000} s, ${chunks} chunks, opened over ${quick ? 0.1 : 1} s, fresh processes)`;
  say(`\n## ${title}`);
  await mock.configure({ latencyMs, chunks });
  const rows = [];
  for (const t of targets) {
    const spec = t.request('relay-stream', requests);
    if (!spec || spec.unsupported) continue;
    const rss = sampleRss(t.pid, 25);
    const run = await swarm({ origin: t.origin, ...spec, count: streamCount, chunks, endMarker: 'message_stop', rampMs: quick ? 100 : 1000 });
    rows.push({ target: t.name, label: t.label, ...run, rssMB: t.pid ? rss.stop() / 2 ** 20 : (rss.stop(), undefined) });
  }
  const direct = rows.find((r) => r.target === 'direct');
  const base = rows.find((r) => r.target === 'baseline');
  for (const r of rows) {
    if (direct && r !== direct) r.addedChunkP50 = r.chunkP50 - direct.chunkP50;
    if (direct && r !== direct) r.addedChunkP99 = r.chunkP99 - direct.chunkP99;
    if (base?.rssMB && r.rssMB) r.rssVsBaseline = r.rssMB / base.rssMB;
  }
  const lines = [
    '| target | complete / lost | peak RSS MB (× baseline) | chunk latency p50 / p99 ms | added p50 / p99 ms | time to headers p50 / p99 ms | wall s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const why = r.lost ? ` (${Object.entries(r.lostReasons).map(([k, v]) => `${v}× ${k}`).join(', ')})` : '';
    lines.push(
      `| ${r.label} | ${r.complete} / ${r.lost}${why} | ${fmt(r.rssMB, 0)}${ratio(r.rssVsBaseline)} | ${fmt(r.chunkP50, 2)} / ${fmt(r.chunkP99, 2)} | ${r.addedChunkP50 === undefined ? '—' : `${fmt(r.addedChunkP50, 2)} / ${fmt(r.addedChunkP99, 2)}`} | ${fmt(r.ttfbP50, 1)} / ${fmt(r.ttfbP99, 1)} | ${fmt(r.wallMs / 1000, 2)} |`,
    );
  }
  const scenario = { id: 'streams', title, params: { streams: streamCount, chunks, mock: { latencyMs, chunks } }, rows, table: lines.join('\n') };
  results.scenarios.push(scenario);
  say(scenario.table);
}

/** Cold start: spawn, then poll the health route every 5 ms until the first 200. */
async function coldStartScenario(mockForCold) {
  const n = quick ? 1 : 5;
  const title = `5. Cold start to first 200 (median of ${n})`;
  say(`\n## ${title}`);
  const candidates = [baselineTarget(mockForCold, workDir), switchyardTarget(mockForCold, workDir)];
  if (!quick && !opts['no-peers'] && peersInstalled()) candidates.push(portkeyTarget(mockForCold, workDir), ccrTarget(mockForCold, workDir));
  const rows = [];
  for (const t of candidates) {
    const times = [];
    let error;
    for (let i = 0; i < n; i++) {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const args = t.command(port);
      const since = performance.now();
      const child = spawnNode(args, { cwd: t.name === 'switchyard' || t.name === 'baseline' ? root : PEERS_DIR, env: t.env, logFile: join(workDir, `cold-${t.name}.log`), nodeFlags: t.nodeFlags });
      try {
        times.push(await waitForHttp(origin + t.healthPath, { since, child, intervalMs: 2 }));
      } catch (err) {
        error = err.message;
      } finally {
        await stop(child);
      }
    }
    rows.push({ target: t.name, label: t.label, path: t.healthPath, ms: median(times), runs: times, error });
  }
  const lines = ['| target | health route | first 200 after spawn, ms (median) | runs |', '| --- | --- | ---: | --- |'];
  for (const r of rows) lines.push(`| ${r.label} | ${r.path} | ${fmt(r.ms, 0)} | ${r.runs.map((x) => x.toFixed(0)).join(', ')}${r.error ? ` (${r.error})` : ''} |`);
  const scenario = { id: 'cold-start', title, params: { runs: n }, rows, table: lines.join('\n') };
  results.scenarios.push(scenario);
  say(scenario.table);
}

// --- Targets check --------------------------------------------------------------------------------
function checkTargets() {
  const by = (id) => results.scenarios.find((s) => s.id === id);
  const row = (s, name) => s?.rows.find((r) => r.target === name && !r.unsupported);
  const bestPeer = (s) => s?.rows.filter((r) => !r.unsupported && (r.target === 'portkey' || r.target === 'ccr')).sort((a, b) => b.rps - a.rps)[0];
  const checks = [];
  const add = (what, ok, detail) => checks.push({ what, met: ok, detail });
  for (const id of ['relay-c32', 'relay-c1', 'relay-stream']) {
    const s = by(id);
    const sy = row(s, 'switchyard');
    if (!sy) continue;
    add(`${id}: throughput ≥ 60% of the bare proxy`, sy.rpsVsBaseline >= 0.6, `${(sy.rpsVsBaseline * 100).toFixed(0)}%`);
    const peer = bestPeer(s);
    if (peer) add(`${id}: throughput ≥ 2× the best peer`, sy.rps >= 2 * peer.rps, `${(sy.rps / peer.rps).toFixed(2)}× ${peer.label}`);
  }
  const c1 = row(by('relay-c1'), 'switchyard');
  if (c1) {
    add('relay-c1: added latency p50 ≤ 0.3 ms', c1.addedP50 <= 0.3, `${c1.addedP50.toFixed(3)} ms`);
    add('relay-c1: added latency p99 ≤ 1 ms', c1.addedP99 <= 1, `${c1.addedP99.toFixed(3)} ms`);
  }
  for (const id of ['a2o', 'o2g']) {
    const s = by(id);
    const sy = row(s, 'switchyard');
    const peer = bestPeer(s);
    if (sy && peer) add(`${id}: translation throughput ≥ 2× the best peer`, sy.rps >= 2 * peer.rps, `${(sy.rps / peer.rps).toFixed(2)}× ${peer.label}`);
  }
  const st = row(by('streams'), 'switchyard');
  if (st) {
    add(`streams: peak RSS ≤ 200 MB with ${st.streams} streams`, st.rssMB <= 200, `${st.rssMB.toFixed(0)} MB`);
    add('streams: zero lost', st.lost === 0, `${st.lost} lost`);
  }
  const tr = by('translate');
  if (tr) {
    for (const r of tr.rows.filter((x) => /^Claude Code request → [a-z-]+ \(decode/.test(x.name))) {
      add(`translate: ${r.name.split(' (')[0]} median ≤ 0.5 ms`, r.median <= 0.5, `${r.median.toFixed(3)} ms`);
    }
  }
  return checks;
}

// --- Main -----------------------------------------------------------------------------------------
const cpu = cpus();
results.date = started.toISOString();
results.machine = { cpus: cpu.length, model: cpu[0]?.model, memGB: +(totalmem() / 2 ** 30).toFixed(1), freeGB: +(freemem() / 2 ** 30).toFixed(1), node: process.version, platform: `${process.platform} ${process.arch}` };
try {
  results.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  results.dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim() !== '';
} catch {
  results.commit = 'unknown';
}
results.options = { quick, durationS, rounds, concurrency, streams: streamCount, only };
say(`# Switchyard benchmark — ${results.date}, ${results.machine.cpus} × ${results.machine.model}, node ${process.version}, commit ${results.commit}${results.dirty ? ' (+ local changes in src/)' : ''}`);
say(`${quick ? 'QUICK smoke run: numbers are meaningless, this only checks that every scenario runs. ' : ''}${rounds} round(s) × ${durationS} s per target, alternating order; c=${concurrency} where not stated.`);

let exitCode = 0;
try {
  if (only.includes('translate')) {
    say('\n## 6. Translation micro-benchmark');
    const tr = await translationBench({ quick });
    results.scenarios.push({ id: 'translate', title: '6. Translation micro-benchmark', params: { requestBytes: tr.requestBytes, tools: tr.tools }, rows: tr.rows });
    say(formatTranslation(tr));
  }
  if (only.includes('cold-start')) {
    const m = await startMock();
    try {
      await coldStartScenario(m);
    } finally {
      await stop(m.child);
    }
  }
  const loadIds = ['relay-c1', 'relay-c32', 'relay-stream', 'a2o', 'o2g', 'streams'];
  if (only.some((s) => loadIds.includes(s))) {
    await setUpTargets();
    if (only.includes('relay-c1'))
      await loadScenario({ id: 'relay-c1', title: '1a. Same-dialect relay (Anthropic), JSON, small body, c=1', kind: 'relay', mockConfig: { latencyMs: 0, chunks: 20 }, driver: drivers.c1, params: { concurrency: 1, method: opts['c1-turns'] ? 'turns of 200 requests' : 'blocks' }, interleaved: opts['c1-turns'] || quick }); // the smoke run takes the turns' code too, so it cannot rot
    if (only.includes('relay-c32'))
      await loadScenario({ id: 'relay-c32', title: `1b. Same-dialect relay (Anthropic), JSON, small body, c=${concurrency}`, kind: 'relay', mockConfig: { latencyMs: 0, chunks: 20 }, driver: drivers.cN, params: { concurrency } });
    if (only.includes('relay-stream'))
      await loadScenario({ id: 'relay-stream', title: `2. Same-dialect relay (Anthropic), SSE, 200 chunks, c=${concurrency}`, kind: 'relay-stream', mockConfig: { latencyMs: 0, chunks: 200 }, driver: drivers.cN, params: { concurrency } });
    if (only.includes('a2o'))
      await loadScenario({ id: 'a2o', title: `3a. Translation: Anthropic client (Claude Code request, ${(JSON.stringify(cc).length / 1024).toFixed(0)} KB) → OpenAI Chat upstream, SSE 100 chunks, c=${concurrency}`, kind: 'a2o', mockConfig: { latencyMs: 0, chunks: 100 }, driver: drivers.cN, params: { concurrency } });
    if (only.includes('o2g'))
      await loadScenario({ id: 'o2g', title: `3b. Translation: OpenAI Chat client (the same request) → Gemini upstream, SSE 100 chunks, c=${concurrency}`, kind: 'o2g', mockConfig: { latencyMs: 0, chunks: 100 }, driver: drivers.cN, params: { concurrency } });
    if (only.includes('streams')) await streamsScenario();
  }
  const sy = targets.find((t) => t.name === 'switchyard');
  if (sy?.dataDir) {
    const files = readdirSync(sy.dataDir);
    const db = files.filter((f) => /\.(db|sqlite3?)$/.test(f));
    results.requestLogging = `pino info line per request (to a file); ${db.length ? `request log store in the data dir (${db.join(', ')})` : 'no request log store in the data dir (this build keeps none)'}`;
    say(`\nrequest logging in Switchyard: ${results.requestLogging}`);
  }
  results.checks = checkTargets();
  say('\n## Targets' + (quick ? ' (quick run: not meaningful)' : ''));
  for (const c of results.checks) say(`- ${c.met ? 'met   ' : 'MISSED'} ${c.what}: ${c.detail}`);
} catch (err) {
  exitCode = 1;
  say(`\nbench failed: ${err.stack ?? err.message}`);
} finally {
  for (const t of targets) await t.stop().catch(() => undefined);
  if (mock) await stop(mock.child);
  results.notes = notes;
  const out = opts.out ?? join(root, 'bench', 'results', `${quick ? 'quick' : 'bench'}-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2));
  say(`\nresults: ${out}`);
  if (opts['cpu-prof']) say(`CPU profiles of Switchyard: ${profDir}`);
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
