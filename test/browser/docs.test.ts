// GET /docs in a real browser: Swagger UI renders from the gateway's own files under its CSP, shows
// every API, and runs a "Try it out" call against the gateway; nothing leaves 127.0.0.1.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayPage, hasChromium, openGatewayPage, type Watched } from '../helpers/browser.js';
import type { TestGateway } from '../helpers/gateway.js';

const TAGS = ['training (spec 001)', 'integration (spec 000)', 'quiz (spec 002)', 'social (spec 003)', 'judge (spec 004)', 'gateway'];

describe.skipIf(!hasChromium)('Swagger UI at /docs in Chromium', () => {
  let gw: TestGateway;
  let page: Page;
  let seen: Watched;
  let opened: GatewayPage | undefined;

  beforeAll(async () => {
    opened = await openGatewayPage();
    ({ gw, page, seen } = opened);
  });
  afterAll(() => opened?.close());

  it("renders every API's section from the gateway's own files", async () => {
    const answer = await page.goto(`${gw.url}/docs`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.locator('.opblock-tag').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock-tag').evaluateAll((tags) => tags.map((t) => t.getAttribute('data-tag')))).toEqual(TAGS);
    expect(seen.problems).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });

  it('"Try it out" on GET /healthz shows the live answer', async () => {
    const op = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/healthz"])');
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const answer = op.locator('.live-responses-table tbody .response');
    await answer.waitFor({ timeout: 20_000 });
    expect((await answer.locator('.response-col_status').textContent())?.trim()).toBe('200');
    expect(await answer.locator('.highlight-code').first().textContent()).toMatch(/"status":\s*"ok"/);
    expect(seen.problems).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });
});
