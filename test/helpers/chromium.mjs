// Debian's Chromium and the flags that work for it here, headless and as root (see TOOLCHAIN.md):
// one list for playwright-core (e2e tests, bench) and web-test-runner (browser tests).

/** The Chromium binary: CHROME_PATH, else Debian's. */
export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/lib/chromium/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  // Without these Chromium keeps calling Google's hosts, which this closed network refuses.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Background tabs must keep running their timers and streams like the foreground one.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * Launches headless Chromium through playwright-core (no browser download): the e2e tests and the
 * bench. playwright-core is loaded on the first launch, so web-test-runner's config, which reads
 * only the path and the flags, does not load it. Close the browser when done.
 */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROME_PATH, headless: true, args: CHROMIUM_ARGS });
}
