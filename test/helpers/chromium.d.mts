/** The Chromium binary: CHROME_PATH, else Debian's. */
export const CHROME_PATH: string;
/** Flags that work for Debian's Chromium here, headless and as root. */
export const CHROMIUM_ARGS: string[];
