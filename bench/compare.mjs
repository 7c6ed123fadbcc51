// Compares two result files of `npm run bench` (bench/results/*.json), scenario by scenario and
// target by target: A → B and the change in %. Runs on different machines or under different load
// are not comparable; see bench/README.md ("Comparing two commits") for the fairer same-run way.
//
//   node bench/compare.mjs A.json B.json
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((f) => (f ? JSON.parse(readFileSync(f, 'utf8')) : undefined));
if (!a || !b) {
  console.error('usage: node bench/compare.mjs A.json B.json');
  process.exit(2);
}
const num = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const delta = (x, y) => (typeof x === 'number' && typeof y === 'number' && x !== 0 ? `${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(0)}%` : '');
const cell = (x, y, d) => `${num(x, d)} → ${num(y, d)} ${delta(x, y)}`;

console.log(`A: ${a.date} commit ${a.commit}${a.dirty ? '+' : ''} (${a.machine?.cpus} × ${a.machine?.model})`);
console.log(`B: ${b.date} commit ${b.commit}${b.dirty ? '+' : ''} (${b.machine?.cpus} × ${b.machine?.model})`);
for (const sb of b.scenarios) {
  const sa = a.scenarios.find((s) => s.id === sb.id);
  if (!sa) continue;
  console.log(`\n## ${sb.title}`);
  if (sb.id === 'translate') {
    console.log('| case | median ms A → B | p99 ms A → B |\n| --- | --- | --- |');
    for (const rb of sb.rows) {
      const ra = sa.rows.find((r) => r.name === rb.name);
      if (ra) console.log(`| ${rb.name} | ${cell(ra.median, rb.median, 3)} | ${cell(ra.p99, rb.p99, 3)} |`);
    }
    continue;
  }
  if (sb.id === 'cold-start') {
    console.log('| target | ms A → B |\n| --- | --- |');
    for (const rb of sb.rows) {
      const ra = sa.rows.find((r) => r.target === rb.target);
      if (ra) console.log(`| ${rb.label} | ${cell(ra.ms, rb.ms, 0)} |`);
    }
    continue;
  }
  if (sb.id === 'streams') {
    console.log('| target | lost A → B | peak RSS MB A → B | chunk p99 ms A → B |\n| --- | --- | --- | --- |');
    for (const rb of sb.rows) {
      const ra = sa.rows.find((r) => r.target === rb.target);
      if (ra) console.log(`| ${rb.label} | ${ra.lost} → ${rb.lost} | ${cell(ra.rssMB, rb.rssMB, 0)} | ${cell(ra.chunkP99, rb.chunkP99, 1)} |`);
    }
    continue;
  }
  console.log('| target | req/s A → B | × baseline A → B | p50 ms A → B | p99 ms A → B | CPU µs/req A → B |\n| --- | --- | --- | --- | --- | --- |');
  for (const rb of sb.rows) {
    const ra = sa.rows.find((r) => r.target === rb.target);
    if (!ra || ra.unsupported || rb.unsupported) continue;
    console.log(
      `| ${rb.label} | ${cell(ra.rps, rb.rps, 0)} | ${num(ra.rpsVsBaseline, 2)} → ${num(rb.rpsVsBaseline, 2)} | ${cell(ra.p50, rb.p50, 2)} | ${cell(ra.p99, rb.p99, 2)} | ${cell(ra.cpuUsPerReq, rb.cpuUsPerReq, 0)} |`,
    );
  }
}
