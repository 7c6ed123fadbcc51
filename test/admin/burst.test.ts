// A burst of 2,000 requests (50 at a time) against a local upstream: the request log loses no
// record, and the stats and metrics count every one of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { parsePrometheusText, sumOf } from '../helpers/prom-text.js';
import { startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import { adminClient, allLog, sumLog, type AdminCall, type StatsAnswer } from './helpers.js';

const TOTAL = 2000;
const CONCURRENCY = 50;
let up: Upstream;
let gw: RunningGateway;
let admin: AdminCall;

beforeAll(async () => {
  up = await startOpenAIUpstream();
  gw = await startGateway({
    admin_password: 'burst-pw-1',
    log_level: 'warn',
    providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: ['sk-burst-0001', 'sk-burst-0002'], models: ['gpt-*'] }],
  });
  admin = adminClient(gw.url, 'burst-pw-1');
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

describe('burst', () => {
  it(`${TOTAL} requests, ${CONCURRENCY} at a time: every one is in the log, the stats and the metrics`, { timeout: 120_000 }, async () => {
    const ids = new Set<string>();
    let next = 0;
    let failed = 0;
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'burst' }] });
    async function worker() {
      while (next < TOTAL) {
        next++;
        const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
        ids.add(res.headers.get('x-request-id') ?? '');
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failed).toBe(0);
    expect(ids.size).toBe(TOTAL);

    const log = await allLog(admin);
    expect(log.length).toBe(TOTAL);
    expect(new Set(log.map((i) => i.id))).toEqual(ids);
    const stats = (await admin<StatsAnswer>('GET', '/api/stats?group_by=credential')).body;
    expect(stats.totals.requests).toBe(TOTAL);
    expect(stats.totals.input_tokens).toBe(sumLog(log, 'input_tokens'));
    expect(stats.totals.output_tokens).toBe(sumLog(log, 'output_tokens'));
    expect(stats.groups.map((g) => g.key).sort()).toEqual(['oa sk-b…0001', 'oa sk-b…0002']);
    expect(stats.groups.reduce((a, g) => a + g.requests, 0)).toBe(TOTAL);
    const f = parsePrometheusText(await (await fetch(`${gw.url}/metrics`)).text());
    expect(sumOf(f, 'switchyard_requests_total', { route: 'openai.chat' })).toBe(TOTAL);
    expect(sumOf(f, 'switchyard_request_log_dropped_total')).toBe(0);
  });
});
