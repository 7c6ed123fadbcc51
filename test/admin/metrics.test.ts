// GET /metrics: valid Prometheus text (checked by a strict parser), numbers that move with traffic
// and agree with the request log, and the two auth choices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { parsePrometheusText, sumOf } from '../helpers/prom-text.js';
import { startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import { adminClient, allLog, chat, sumLog, type AdminCall } from './helpers.js';

const PW = 'metrics-admin-pw-31';
let up: Upstream;
let gw: RunningGateway;
let admin: AdminCall;

beforeAll(async () => {
  up = await startOpenAIUpstream({ keys: ['sk-m-key-0001', 'sk-m-key-0002'] });
  gw = await startGateway({
    admin_password: PW,
    providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: ['sk-m-key-0001', 'sk-m-key-0002'], models: ['gpt-*'] }],
  });
  admin = adminClient(gw.url, PW);
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

async function scrape(password?: string) {
  const res = await fetch(`${gw.url}/metrics`, { headers: password ? { authorization: `Bearer ${password}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('/metrics', () => {
  it('parses as Prometheus text and moves when requests flow', async () => {
    const before = await scrape();
    expect(before.status).toBe(200);
    expect(before.type).toContain('text/plain');
    const f0 = parsePrometheusText(before.text);
    const base = sumOf(f0, 'switchyard_requests_total');

    up.setFaults({ 'sk-m-key-0001': [{ status: 500 }] }); // the first attempt fails over to the second key
    for (let i = 0; i < 4; i++) expect((await chat(gw.url)).status).toBe(200);
    expect((await chat(gw.url, { stream: true })).status).toBe(200);
    expect((await chat(gw.url, { model: 'nope' })).status).toBe(404);
    await fetch(`${gw.url}/v1/models`);
    await gw.gateway.control.flush();

    const f = parsePrometheusText((await scrape()).text);
    expect(sumOf(f, 'switchyard_requests_total') - base).toBe(7);
    expect(sumOf(f, 'switchyard_requests_total', { dialect: 'openai-chat', model: 'gpt-4o', status: '200' })).toBe(5);
    expect(sumOf(f, 'switchyard_requests_total', { model: 'nope', status: '404' })).toBe(1);
    expect(sumOf(f, 'switchyard_requests_total', { route: 'models.list' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(f, 'switchyard_request_duration_seconds')).toBe(sumOf(f, 'switchyard_requests_total'));
    expect(sumOf(f, 'switchyard_time_to_first_byte_seconds', { provider: 'oa' })).toBe(5);
    expect(sumOf(f, 'switchyard_upstream_attempts_total', { provider: 'oa' })).toBe(6);
    expect(sumOf(f, 'switchyard_upstream_errors_total', { provider: 'oa', class: 'retried' })).toBe(1);
    expect(sumOf(f, 'switchyard_credential_state', { provider: 'oa', credential: 'sk-m…0001' })).toBe(1);
    expect(f.get('switchyard_credential_state')?.samples.every((s) => !s.labels.credential.includes('sk-m-key'))).toBe(true);
    // A credential disabled through the admin API shows as disabled.
    const creds = (await admin<{ credentials: Array<{ id: number }> }>('GET', '/api/providers/oa/credentials')).body.credentials;
    await admin('PATCH', `/api/providers/oa/credentials/${creds[0].id}`, { enabled: false });
    const f2 = parsePrometheusText((await scrape()).text);
    expect(sumOf(f2, 'switchyard_credential_state', { credential: 'sk-m…0001', state: 'disabled' })).toBe(1);
    await admin('PATCH', `/api/providers/oa/credentials/${creds[0].id}`, { enabled: true });

    // Tokens agree with the request log.
    const log = await allLog(admin);
    expect(sumOf(f, 'switchyard_tokens_total', { type: 'input' })).toBe(sumLog(log, 'input_tokens'));
    expect(sumOf(f, 'switchyard_tokens_total', { type: 'output' })).toBe(sumLog(log, 'output_tokens'));
    expect(sumOf(f, 'switchyard_request_log_written_total')).toBeGreaterThanOrEqual(7);
    expect(sumOf(f, 'switchyard_request_log_dropped_total')).toBe(0);
  });

  it('metrics_auth admin: the admin password is required, from loopback too', async () => {
    expect((await admin('PATCH', '/api/settings', { metrics_auth: 'admin' })).status).toBe(200);
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-password')).status).toBe(401);
    const ok = await scrape(PW);
    expect(ok.status).toBe(200);
    parsePrometheusText(ok.text);
    await admin('PATCH', '/api/settings', { metrics_auth: 'loopback' });
    expect((await scrape()).status).toBe(200);
  });
});
