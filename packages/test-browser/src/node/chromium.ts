// Debian's headless `chromium`, driven by playwright-core (no browser is downloaded), and the rule
// every browser test follows: without /usr/bin/chromium (or TFBRICKS_CHROMIUM) the suite is
// skipped with a printed reason, unless TFBRICKS_REQUIRE_BROWSER=1, which makes it fail instead.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

/**
 * Flags for headless Chromium on a machine without network or GPU: they keep Chromium off the
 * network. Playwright adds `--headless` and a fresh temporary `--user-data-dir` itself.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/**
 * The flag WebGPU needs on Linux (without it requestAdapter() returns null: "No available
 * adapters"); the adapter is then SwiftShader, Chromium's own software Vulkan.
 */
export const WEBGPU_ARG = '--enable-unsafe-webgpu';

export interface ChromiumSetup {
  executablePath: string;
  /** A Chromium is there: run the suite. */
  available: boolean;
  /** TFBRICKS_REQUIRE_BROWSER=1: a missing Chromium is a failure, not a skip. */
  required: boolean;
}

/** Where Chromium is and whether it must be; prints the skip reason (tagged `[label]`) when the suite will be skipped. */
export function findChromium(label: string, env: NodeJS.ProcessEnv = process.env): ChromiumSetup {
  const executablePath = env.TFBRICKS_CHROMIUM || '/usr/bin/chromium';
  const setup = { executablePath, available: existsSync(executablePath), required: env.TFBRICKS_REQUIRE_BROWSER === '1' };
  if (!setup.available && !setup.required) {
    console.warn(
      `[${label}] skipped: no Chromium at ${executablePath} (Debian/Ubuntu: apt-get install -y chromium; or set TFBRICKS_CHROMIUM; TFBRICKS_REQUIRE_BROWSER=1 turns this skip into a failure)`,
    );
  }
  return setup;
}

/** The suite `<name> (required)` that fails where Chromium is required and absent (and is not there otherwise). */
export function chromiumRequiredSuite(name: string, setup: ChromiumSetup): void {
  describe.runIf(!setup.available && setup.required)(`${name} (required)`, () => {
    it('finds Chromium', () => {
      throw new Error(
        `TFBRICKS_REQUIRE_BROWSER=1 but there is no Chromium at ${setup.executablePath}: apt-get install -y chromium (Debian/Ubuntu), or point TFBRICKS_CHROMIUM at one`,
      );
    });
  });
}

/** Headless Chromium with CHROMIUM_ARGS, plus WEBGPU_ARG where `webgpu`; `timeout` bounds the launch (ms). */
export function launchChromium(setup: ChromiumSetup, options: { webgpu?: boolean; timeout?: number } = {}): Promise<Browser> {
  const args = options.webgpu ? [WEBGPU_ARG, ...CHROMIUM_ARGS] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: setup.executablePath, headless: true, args, timeout: options.timeout ?? 30_000 });
}
