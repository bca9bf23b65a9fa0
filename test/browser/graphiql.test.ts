// GET /graphql in a real browser: GraphiQL renders from the gateway's own files under its CSP
// (Monaco's workers included), runs a query with the headers typed into its editor, and streams a
// subscription over SSE; nothing leaves 127.0.0.1.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRoomFrame } from '../../src/bus/room-frames.js';
import { type GatewayPage, hasChromium, openGatewayPage, type Watched } from '../helpers/browser.js';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';

describe.skipIf(!hasChromium)('GraphiQL at /graphql in Chromium', () => {
  let gw: TestGateway;
  let page: Page;
  let seen: Watched;
  let bearer: string;
  let opened: GatewayPage | undefined;

  beforeAll(async () => {
    opened = await openGatewayPage();
    ({ gw, page, seen } = opened);
    const login = await gql(gw.url, 'mutation ($p: String!) { login(username: "root", password: $p) { token } }', { p: ROOT_PASSWORD });
    bearer = `Bearer ${login.data.login.token}`;
  });
  afterAll(() => opened?.close());

  /** Replaces a Monaco editor's text (inserted as one input, so no auto-closed brackets). */
  async function fill(editor: Locator, text: string) {
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText(text);
  }

  const queryEditor = () => page.locator('.graphiql-query-editor .monaco-editor');
  const result = () => page.locator('.graphiql-response');

  it('renders, and runs a query with the Authorization header typed into its headers editor', async () => {
    const answer = await page.goto(`${gw.url}/graphql`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'none'");
    await queryEditor().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Headers' }).click();
    await fill(page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor'), JSON.stringify({ Authorization: bearer }));
    await fill(queryEditor(), '{ me { username } }');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(async () => result().textContent(), { timeout: 20_000 }).toMatch(/"username":\s*"root"/);
    expect(seen.problems).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });

  it("streams a subscription's events into the result pane (SSE)", async () => {
    const event = await gql(
      gw.url,
      'mutation ($from: String!, $to: String!) { createEvent(name: "Browser test", timeFrom: $from, timeTo: $to) { id } }',
      { from: new Date(Date.now() + 3600_000).toISOString(), to: new Date(Date.now() + 7200_000).toISOString() },
      { authorization: bearer },
    );
    const room = `marking:${event.data.createEvent.id}`;
    await fill(queryEditor(), `subscription { roomEvents(room: "${room}") { type frame } }`);
    await page.locator('.graphiql-execute-button').click();
    // The subscription starts asynchronously: send frames until one shows.
    let n = 0;
    await expect
      .poll(
        async () => {
          await publishRoomFrame(gw.services.deps, room, { type: 'PROBE', payload: ++n });
          return result().textContent();
        },
        { timeout: 20_000 },
      )
      .toMatch(/"type":\s*"PROBE"/);
    // Still streaming: a later frame replaces the shown one.
    await publishRoomFrame(gw.services.deps, room, { type: 'LAST', payload: null });
    await expect.poll(async () => result().textContent(), { timeout: 10_000 }).toMatch(/"type":\s*"LAST"/);
    expect(seen.problems).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });
});
