import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from './gateway.js';

/** Debian's `chromium` package (`.ci/run` installs it); playwright-core drives it, it downloads no browser. */
const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);

/**
 * Headless Chromium in a fresh profile. --no-sandbox: CI runs as root; the background-networking,
 * component-update and sync switches keep the browser itself off the (closed) network.
 */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}

export interface Watched {
  /** Console errors and warnings (CSP violations among them), page errors, failed and refused requests. */
  problems: string[];
  /** Every request to anywhere but `origin` (data: URLs aside). */
  foreign: string[];
}

/** Records what went wrong on `page`, and every request it (or its workers) sent elsewhere than `origin`. */
async function watch(page: Page, origin: string): Promise<Watched> {
  const seen: Watched = { problems: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => seen.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) seen.problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.context().on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.origin !== origin) seen.foreign.push(r.url());
  });
  // Chromium logs CSP refusals itself; the event also names the directive and where it happened.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return seen;
}

export interface GatewayPage {
  gw: TestGateway;
  page: Page;
  seen: Watched;
  close(): Promise<void>;
}

/** A test gateway and one watched page of a fresh headless Chromium, started side by side. */
export async function openGatewayPage(): Promise<GatewayPage> {
  const [gw, browser] = await Promise.all([startTestGateway(), launchChromium()]);
  const page = await browser.newPage();
  const seen = await watch(page, gw.url);
  return {
    gw,
    page,
    seen,
    async close() {
      await browser.close();
      await gw.stop();
    },
  };
}
