import type { Browser } from 'playwright-core';

/** The Chromium binary: CHROME_PATH, else Debian's. */
export const CHROME_PATH: string;
/** Flags that work for Debian's Chromium here, headless and as root. */
export const CHROMIUM_ARGS: string[];
/** Launches headless Chromium through playwright-core (no browser download). Close it when done. */
export function launchChromium(): Promise<Browser>;
