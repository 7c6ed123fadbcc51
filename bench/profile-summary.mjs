// Reads a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --cpu-prof`) and prints where the
// time went: the functions with the most self time, the source files with the most self time, and
// (with --folded FILE) the stacks in "folded" form, the input of flame-graph tools
// (e.g. `npx speedscope FILE.cpuprofile` opens the profile itself as a flame graph).
//
//   node bench/profile-summary.mjs FILE.cpuprofile [--top 25] [--folded out.folded] [--filter TEXT]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, folded: { type: 'string' }, filter: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--folded OUT] [--filter TEXT]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas (µs).
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/dist\//, 'dist/');
const frameName = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${short(f.url)}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};

const fnSelf = new Map();
const fileSelf = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const name = frameName(n);
  fnSelf.set(name, (fnSelf.get(name) ?? 0) + us);
  const file = n.callFrame.url ? short(n.callFrame.url) : `(${n.callFrame.functionName || 'native'})`;
  fileSelf.set(file, (fileSelf.get(file) ?? 0) + us);
}

// Inclusive time per function (counted once per sample even when recursive).
const fnTotal = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const name = frameName(byId.get(cur));
    if (seen.has(name)) continue;
    seen.add(name);
    fnTotal.set(name, (fnTotal.get(name) ?? 0) + us);
  }
}

const top = Number(values.top);
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const show = (title, map) => {
  console.log(`\n${title}`);
  const rows = [...map].filter(([k]) => !values.filter || k.includes(values.filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of rows) console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled`);
show('Self time by function', fnSelf);
show('Self time by file', fileSelf);
show('Total (inclusive) time by function', fnTotal);

if (values.folded) {
  const folded = new Map();
  for (const [id, us] of self) {
    const stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(frameName(byId.get(cur)).replace(/;/g, ','));
    const key = stack.reverse().join(';');
    folded.set(key, (folded.get(key) ?? 0) + us);
  }
  writeFileSync(values.folded, [...folded].map(([k, v]) => `${k} ${Math.round(v)}`).join('\n') + '\n');
  console.log(`\nfolded stacks: ${values.folded}`);
}
