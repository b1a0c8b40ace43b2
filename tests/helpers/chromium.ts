/**
 * Debian's Chromium for the browser tests: whether it is here (under CI its absence is an error,
 * elsewhere the tests skip with one line), a quiet headless launch, and a polling wait.
 */
import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when Chromium is installed; otherwise throws under CI and warns that `what` is skipped. */
export function requireChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install chromium`);
  console.warn(`[tests/browser] ${what} SKIPPED: ${CHROMIUM} is not installed`);
  return false;
}

/** No background traffic, no first-run UI; WebGPU unless `webgpu: false`; `args` added last. */
export function launchChromium(
  profilePath: string,
  opts: { webgpu?: boolean; args?: readonly string[] } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profilePath, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(opts.webgpu === false ? [] : ['--enable-unsafe-webgpu']),
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(opts.args ?? []),
    ],
  });
}

/** Polls `check` every `stepMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(stepMs);
  }
}
