import { launch, type Browser } from 'puppeteer-core';

/** Firefox: FIREFOX_PATH, else Debian's ESR (apt `firefox-esr`). */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Launches headless Firefox through puppeteer-core over WebDriver BiDi (no browser download). */
export function launchFirefox(): Promise<Browser> {
  return launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: {
      // Background tabs must keep running their timers like the foreground one (as the Chromium flags say).
      'dom.min_background_timeout_value': 4,
      'dom.timeout.enable_budget_timer_throttling': false,
    },
  }).catch((err: Error) => {
    throw new Error(`could not start Firefox at ${FIREFOX_PATH} (${err.message}); install it with \`apt-get install -y firefox-esr\` or set FIREFOX_PATH`, { cause: err });
  });
}
