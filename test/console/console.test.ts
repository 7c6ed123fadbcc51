// The admin console in real Chromium, as a new user meets it: log in (a wrong password first), add a
// provider pointing at a local upstream and test it, send a request with the official OpenAI SDK and
// find it in Requests and Usage, create a user key and use it, change the model mapping and watch the
// route change, look at every page in light, dark and at phone width (screenshots in
// test-output/console/), log out.
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import { chromiumAvailable, launch, shot, type Browser } from './browser.js';

const PW = 'console-admin-pw-4821';
const UPSTREAM_KEY = 'sk-upstream-console-key-0001';

let up: Upstream;
let gw: RunningGateway;
let browser: Browser;
let page: Page;

const openai = (apiKey = 'any-key') => new OpenAI({ apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });

async function go(path: string, name: string) {
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name }).click();
  await page.waitForURL(`**${path}`);
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

describe.skipIf(!chromiumAvailable())('admin console in Chromium', () => {
  beforeAll(async () => {
    up = await startOpenAIUpstream({ keys: [UPSTREAM_KEY] });
    gw = await startGateway({ admin_password: PW });
    browser = await launch();
    page = await browser.context.newPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await up?.close();
  });

  it('logs in with the admin password, saying clearly when it is wrong', async () => {
    await page.goto(`${gw.url}/`);
    await page.getByLabel('Admin password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('That is not the admin password.').waitFor();
    await shot(page, '01-login-wrong-password');

    await page.getByLabel('Admin password').fill(PW);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText('Add your first provider').waitFor();
    // The session cookie is HttpOnly and SameSite=Strict.
    const cookie = (await browser.context.cookies()).find((c) => c.name.startsWith('switchyard_session'));
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await shot(page, '02-dashboard-empty');
  });

  it('adds a provider pointing at a local upstream and tests its key', async () => {
    await page.getByRole('link', { name: 'Add a provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a provider' });
    await dialog.getByLabel('Name').fill('local-openai');
    await dialog.getByLabel('Base URL').fill(up.url);
    await dialog.getByLabel('API keys').fill(UPSTREAM_KEY);
    await dialog.getByLabel('Models').fill('gpt-*');
    await shot(page, '03-provider-form');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const card = page.locator('.card.provider', { hasText: 'local-openai' });
    await card.getByText('sk-u…0001').waitFor();
    await card.getByRole('button', { name: 'Test', exact: true }).click();
    await card.getByText(/✓ 200 in/).waitFor();
    await card.getByText('healthy').waitFor();
    await shot(page, '04-providers');
  });

  it('shows a request sent with the OpenAI SDK in Requests, with its details', async () => {
    const r = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello from the console test' }] });
    expect(r.choices[0].message.content).toContain('hello from the console test');

    await go('/ui/requests', 'Requests');
    const row = page.locator('table.requests tbody tr', { hasText: 'gpt-4o-mini' }).first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('local-openai');
    await row.click();
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    await drawer.getByText('/v1/chat/completions').first().waitFor();
    await drawer.getByText('sk-u…0001').first().waitFor();
    await drawer.getByText(/answered 200/).waitFor();
    await shot(page, '05-request-detail');
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await drawer.waitFor({ state: 'hidden' });

    // Live: a request sent while the page is open appears without a reload.
    await openai().chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'live' }] });
    await page.locator('table.requests tbody tr', { hasText: 'gpt-4.1-nano' }).waitFor();
    await shot(page, '06-requests');
  });

  it('shows the tokens in Usage, grouped by model', async () => {
    await go('/ui/usage', 'Usage');
    const row = page.locator('table tbody tr', { hasText: 'gpt-4o-mini' });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(Number(cells[1])).toBe(1); // requests
    expect(Number(cells[3].replace(/,/g, ''))).toBeGreaterThan(0); // input tokens
    await page.locator('.chart canvas').first().waitFor();
    await shot(page, '07-usage');
  });

  it('creates a user key, shows it once, and the key works and is attributed', async () => {
    await go('/ui/keys', 'Keys');
    await page.getByLabel('Name').fill('ci-bot');
    await page.getByLabel('Allowed models').fill('gpt-*');
    await page.getByLabel('Requests per minute').fill('30');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Key "ci-bot" created' });
    await dialog.getByText('it is shown only this once').waitFor();
    const key = await dialog.getByLabel('The new key', { exact: true }).inputValue();
    expect(key).toMatch(/^sk-sy-u-/);
    await shot(page, '08-key-created');
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    // Listed masked from now on.
    await page.getByRole('cell', { name: `${key.slice(0, 4)}…${key.slice(-4)}` }).waitFor();
    expect(await page.content()).not.toContain(key);

    await openai(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'as ci-bot' }] });
    // Held to its models.
    await expect(openai(key).chat.completions.create({ model: 'o3', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 403 });
    await page.locator('tr', { hasText: 'ci-bot' }).getByText('1 / 30').waitFor({ timeout: 15_000 });
    await shot(page, '09-keys');

    // Both requests are in the store before the page asks for them (records are written in batches).
    await gw.gateway.control.flush();
    await go('/ui/requests', 'Requests');
    await page.getByLabel('User key').selectOption('ci-bot');
    await page.locator('table.requests tbody tr', { hasText: 'gpt-4o' }).first().waitFor();
    // The unfiltered list may still be on screen until the filtered one arrives.
    await expect.poll(() => page.locator('table.requests tbody tr').count(), { timeout: 10_000 }).toBe(2);
  });

  it('changes the model mapping and the route preview follows; a request takes the new route', async () => {
    await go('/ui/routing', 'Routing');
    const tryBox = page.getByLabel('Model name');
    await tryBox.fill('claude-haiku-4-5');
    await page.getByRole('button', { name: 'Show route' }).click();
    await page.getByText('Not routable:').waitFor();

    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByLabel('Requested model, rule 1').fill('claude-*');
    await page.getByLabel('Upstream model, rule 1').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('saved, routing now').waitFor();
    const result = page.locator('.route-result');
    await result.getByText('by mapping rule').waitFor();
    await expect(result.textContent()).resolves.toMatch(/claude-haiku-4-5\s*→\s*gpt-4o-mini by mapping rule claude-\*/);
    await result.getByText('local-openai').waitFor();

    // A mapping the server refuses is caught in the form.
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByLabel('Requested model, rule 2').fill('/(unclosed/');
    await page.getByLabel('Upstream model, rule 2').fill('x');
    await page.getByText(/not a valid regular expression/).waitFor();
    await expect(page.getByRole('button', { name: 'Save mapping' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Remove rule 2' }).click();
    await shot(page, '10-routing');

    const r = await openai().chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'mapped' }] });
    expect(r.choices[0].message.content).toContain('mapped');
    const last = up.requests[up.requests.length - 1];
    expect((last.body as { model?: string }).model).toBe('gpt-4o-mini');
  });

  it('shows settings, with what needs a restart said plainly', async () => {
    await go('/ui/settings', 'Settings');
    await page.getByText('Apply at the next start').waitFor();
    await page.getByLabel('Log retention (days)').fill('14');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('saved and applied').waitFor();
    expect(gw.gateway.control.settings.log_retention_days).toBe(14);
    await page.getByLabel('Request body limit').fill('200mb');
    await page.getByRole('button', { name: 'Save for next start' }).click();
    await page.getByText('restart Switchyard to apply').waitFor();
    await shot(page, '11-settings');
  });

  it('shows a rate-limited key cooling with its countdown, and resets it', async () => {
    up.setFaults({ [UPSTREAM_KEY]: [{ status: 429, retryAfter: 120 }] });
    await expect(openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'too many' }] })).rejects.toMatchObject({ status: 429 });
    await go('/ui/providers', 'Providers');
    const card = page.locator('.card.provider', { hasText: 'local-openai' });
    await card.getByText(/cooling for gpt-4o-mini · [12]m \d\ds/).waitFor();
    await shot(page, '12-providers-cooling');
    await card.getByRole('button', { name: 'Reset key sk-u…0001' }).click();
    await card.getByText(/cooling for gpt-4o-mini/).waitFor({ state: 'detached' });
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'after reset' }] });
  });

  it('dashboard: live requests, tokens by model, pool health, errors, base URLs to copy', async () => {
    await go('/ui/dashboard', 'Dashboard');
    await page.getByText('Tokens today by model').waitFor();
    await page.locator('.bars', { hasText: 'gpt-4o-mini' }).waitFor();
    await page.getByText('1 healthy').waitFor();
    // The refused o3 request is among the recent errors, with its reason.
    await page.locator('.errors-list', { hasText: 'o3' }).waitFor();
    await page.getByRole('button', { name: 'Copy OpenAI-compatible base URL' }).waitFor();
    await expect(page.getByText(`${gw.url}/v1`, { exact: true }).count()).resolves.toBe(1);
    const before = await page.locator('.stat', { hasText: 'Requests, last hour' }).locator('.stat-value').textContent();
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'live dashboard' }] });
    await page
      .waitForFunction((prev) => document.querySelector('.stat .stat-value')?.textContent !== prev, before, { timeout: 10_000 })
      .catch(async (err: unknown) => {
        const now = await page.locator('.stat .stat-value').first().textContent();
        const live = await page.locator('.live').textContent();
        throw new Error(`requests stat stayed ${before} (now ${now}, ${live}): ${String(err)}`);
      });
    await shot(page, '13-dashboard');
  });

  it('looks right in dark and at phone width', async () => {
    await page.getByLabel('Theme').selectOption('dark');
    await shot(page, '14-dashboard-dark');
    await go('/ui/providers', 'Providers');
    await shot(page, '15-providers-dark');
    await go('/ui/usage', 'Usage');
    await page.locator('.chart canvas').first().waitFor();
    await shot(page, '16-usage-dark');

    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ['/ui/dashboard', '17-phone-dashboard-dark'],
      ['/ui/requests', '18-phone-requests-dark'],
      ['/ui/providers', '19-phone-providers-dark'],
      ['/ui/keys', '20-phone-keys-dark'],
    ] as const) {
      await phone.goto(`${gw.url}${path}`);
      await phone.getByRole('heading', { level: 1 }).waitFor();
      await phone.waitForLoadState('networkidle').catch(() => undefined);
      await shot(phone, name);
      // Nothing sticks out sideways.
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390);
    }
    await phone.getByLabel('Theme').selectOption('light');
    await phone.goto(`${gw.url}/ui/routing`);
    await phone.getByRole('heading', { level: 1, name: 'Routing' }).waitFor();
    await shot(phone, '21-phone-routing-light');
    await phone.close();
  });

  it('logs out: the console shows the login page and the cookie no longer opens the API', async () => {
    const cookies = await browser.context.cookies();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Admin password').waitFor();
    const c = cookies.find((x) => x.name.startsWith('switchyard_session'));
    const res = await fetch(`${gw.url}/api/providers`, { headers: { cookie: `${c?.name}=${c?.value}` } });
    expect(res.status).toBe(401);
  });
});
