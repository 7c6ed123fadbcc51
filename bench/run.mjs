// `npm run bench`: runs the benchmarks that exist so far. (The full suite against a bare proxy and
// peer gateways is tracked in its own issue.)
await import('./translate.mjs');
