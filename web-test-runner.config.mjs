// web-test-runner: the browser tests in real browsers against real relays (see
// test/browser/relay-plugin.ts), closing with `N passed, N failed` and, for scripts/test.mjs,
// the same counts as JSON in WTR_COUNTS_FILE. BROWSERS=chromium,firefox,webkit picks the engines
// (default: all three; scripts/test.mjs runs one engine per process).
import { writeFileSync } from 'node:fs';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { tsImport } from 'tsx/esm/api';
import { CHROME_PATH, CHROMIUM_ARGS } from './test/helpers/chromium.mjs';

const { relayPlugin } = await tsImport('./test/browser/relay-plugin.ts', import.meta.url);
const { parseEngines } = await tsImport('./test/helpers/engines.ts', import.meta.url);
const { firefoxLauncher } = await tsImport('./test/browser/launchers/firefox.ts', import.meta.url);
const { webkitLauncher } = await tsImport('./test/browser/launchers/webkit.ts', import.meta.url);
const { freePort } = await tsImport('./test/helpers/redis-server.ts', import.meta.url);

/** A port that was free a moment ago: other engineers' runs may hold wtr's default 8000. */
const port = await freePort();

const chromeArgs = ['--headless=new', ...CHROMIUM_ARGS];

const launchers = {
  chromium: () => chromeLauncher({ launchOptions: { executablePath: CHROME_PATH, headless: true, args: chromeArgs } }),
  // puppeteer-core over WebDriver BiDi (see test/browser/launchers/firefox.ts).
  firefox: () => firefoxLauncher(),
  // WebKitGTK's WebDriver under Xvfb (see test/browser/launchers/webkit.ts).
  webkit: () => webkitLauncher(),
};

/** Counts every test of every file; a file that failed to load counts as one failure. */
function countsReporter() {
  const count = (suite, acc, path = []) => {
    for (const t of suite.tests ?? []) {
      if (t.skipped) {
        acc.skipped++;
        acc.skippedNames.push([...path, t.name].join(' > '));
        continue;
      }
      if (t.passed) acc.passed++;
      else acc.failed++;
    }
    for (const s of suite.suites ?? []) count(s, acc, [...path, s.name]);
    return acc;
  };
  return {
    stop({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0, skippedNames: [] };
      for (const s of sessions) {
        if (s.testResults) count(s.testResults, acc);
        if (!s.passed && (s.errors?.length ?? 0) > 0 && !(s.testResults?.tests?.length || s.testResults?.suites?.length)) acc.failed++;
      }
      if (process.env.WTR_COUNTS_FILE) writeFileSync(process.env.WTR_COUNTS_FILE, JSON.stringify(acc));
      if (acc.skipped) console.log(`\n${acc.skipped} skipped`);
      console.log(`\n${acc.passed} passed, ${acc.failed} failed`);
    },
  };
}

const relay = relayPlugin(`http://localhost:${port}`);

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  port,
  hostname: 'localhost',
  // One file at a time: the tests count the relays' streams, and a SharedWorker is shared by every page of the browser.
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 300_000,
  browserStartTimeout: 60_000,
  testFramework: { config: { timeout: 30_000 } },
  browsers: parseEngines(process.env.BROWSERS).map((engine) => launchers[engine]()),
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' }), relay],
  // The plugin's control routes (/__relay/...) on the test server's own origin.
  middleware: relay.middleware,
  reporters: [defaultReporter(), countsReporter()],
};
