import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`): the browser the tests drive. `ROPKIT_CHROMIUM`
 * names another binary (or a missing one, to see the tests skipped).
 */
export const CHROMIUM = process.env['ROPKIT_CHROMIUM'] || '/usr/bin/chromium';

/**
 * The flags of every run: headless, no sandbox (root in a container has none to give), nothing
 * fetched from the network on the browser's own account, no first-run page.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Where the screenshots go (`reports/` is not committed). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../reports/screenshots/', import.meta.url));

/**
 * Why the browser tests cannot run here, or `undefined` when they can. Without Chromium they
 * are skipped with this reason, unless `ROPKIT_REQUIRE_BROWSER=1` (set by `.ci/run`, which
 * installs Chromium) makes it a failure.
 */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found`;
export const requireBrowser = process.env['ROPKIT_REQUIRE_BROWSER'] === '1';
export const browserSkipReason =
  chromiumMissing === undefined || requireBrowser
    ? undefined
    : `Browser tests skipped: ${chromiumMissing}. Install Debian's Chromium (apt-get install -y chromium) and run \`pnpm exec vitest run test/chromium.test.ts\` in examples/password-login; ROPKIT_REQUIRE_BROWSER=1 makes this a failure.`;

/** Chromium with a fresh profile in a temporary directory, removed by `close()`. */
export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<ChromiumSession> {
  if (chromiumMissing !== undefined) {
    throw new Error(`ROPKIT_REQUIRE_BROWSER=1 but ${chromiumMissing}: apt-get install -y chromium`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'password-login-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 720, height: 900 },
      locale: 'en-US',
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The screenshots taken, in order, to list at the end of the run. */
export class Screenshots {
  readonly #taken: string[] = [];

  /** Empties the folder, so what is there after a run is that run's. */
  async clear(): Promise<void> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    for (const name of await readdir(SCREENSHOT_DIR)) {
      if (name.endsWith('.png')) await rm(join(SCREENSHOT_DIR, name));
    }
  }

  /** A full-page screenshot, `NN-name.png`. */
  async take(page: Page, name: string): Promise<string> {
    const file = join(
      SCREENSHOT_DIR,
      `${String(this.#taken.length + 1).padStart(2, '0')}-${name}.png`,
    );
    await writeFile(file, await page.screenshot({ fullPage: true }));
    this.#taken.push(file);
    return file;
  }

  /** The files, relative to `from`. */
  list(from: string): string[] {
    return this.#taken.map((file) => relative(from, file));
  }
}
