// Regenerates the README's "Use with…" section from what `switchyard setup` prints (needs `npm run build`).
// A unit test (src/cli/commands/setup-templates.test.ts) fails when the README and the templates differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { README_BEGIN, README_END, renderReadmeSection } from '../dist/cli/commands/setup-templates.js';

const file = new URL('../README.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const start = text.indexOf(README_BEGIN);
const end = text.indexOf(README_END);
if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${README_BEGIN} … ${README_END}`);
const next = `${text.slice(0, start + README_BEGIN.length)}\n\n${renderReadmeSection()}\n\n${text.slice(end)}`;
if (next !== text) writeFileSync(file, next);
console.log(next === text ? 'README.md is up to date' : 'README.md: "Use with…" section regenerated');
