import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { DATA_ELEMENTS, waitForPageLive } from '../helpers/e2e.js';
import type { InProcessRelay } from '../helpers/relay.js';
import { startSimulatedDemo, type SimulatedDemo } from '../helpers/simulated-demo.js';

// The dashboard fed by the simulator, photographed in light and dark under screenshots/ (git-
// ignored) for people to look at, and checked to be a real picture: every widget has a size, and
// the image has the variety of a rendered dashboard, darker in dark mode.

const OUT = new URL('../../screenshots/', import.meta.url);
let relay: InProcessRelay;
let browser: Browser;

let demo: SimulatedDemo;

before(async () => {
  demo = await startSimulatedDemo();
  ({ relay, browser } = demo);
  mkdirSync(OUT, { recursive: true });
});

after(() => demo?.close());

/** Luminance statistics of a PNG, computed by the browser (no image library needed here). */
async function pixelStats(page: Page, png: Buffer): Promise<{ mean: number; stddev: number; colours: number }> {
  return page.evaluate(async (dataUrl) => {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let sq = 0;
    const colours = new Set<number>();
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const l = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      sum += l;
      sq += l * l;
      // Coarse colours (4 bits a channel), so antialiasing noise does not count as variety.
      colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
    }
    const mean = sum / n;
    return { mean, stddev: Math.sqrt(sq / n - mean * mean), colours: colours.size };
  }, `data:image/png;base64,${png.toString('base64')}`);
}

/** Opens the dashboard in a theme, waits for data and drawn charts, and photographs it. */
async function photograph(theme: 'light' | 'dark'): Promise<{ png: Buffer; page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', colorScheme: theme });
  const errors = recordPageErrors(page);
  await page.goto(`${relay.url}/?theme=${theme}`);
  await waitForPageLive(page);
  // Charts draw into a canvas once their history has loaded; the simulator backfills a day.
  await page.waitForFunction(() => [...document.querySelectorAll('live-price-chart')].every((c) => (c.shadowRoot?.querySelector('canvas')?.width ?? 0) > 0), undefined, { timeout: 15_000 });
  await page.waitForFunction(() => (document.querySelector('rss-feed')?.shadowRoot?.textContent?.trim().length ?? 0) > 20, undefined, { timeout: 30_000 });
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(new URL(`dashboard-${theme}.png`, OUT), png);
  return { png, page, errors };
}

test('the dashboard in light and dark: every widget rendered, pictures not blank, dark is darker', async () => {
  const light = await photograph('light');
  const dark = await photograph('dark');
  try {
    for (const shot of [light, dark]) {
      const sizes = await shot.page.evaluate((sel) =>
        [...document.querySelectorAll(`${sel}, live-indicator`)].map((el) => {
          const r = el.getBoundingClientRect();
          return { tag: el.localName, width: Math.round(r.width), height: Math.round(r.height) };
        }),
      DATA_ELEMENTS);
      assert.ok(sizes.length >= 7, `the dashboard shows ${sizes.length} elements`);
      for (const s of sizes) {
        const min = s.tag === 'live-indicator' ? { w: 40, h: 10 } : { w: 200, h: 80 };
        assert.ok(s.width >= min.w && s.height >= min.h, `<${s.tag}> renders ${s.width}×${s.height}; expected at least ${min.w}×${min.h}`);
      }
      assert.deepEqual(shot.errors, [], 'the page logged no errors');
    }
    const ls = await pixelStats(light.page, light.png);
    const ds = await pixelStats(dark.page, dark.png);
    for (const [name, s] of [['light', ls], ['dark', ds]] as const) {
      assert.ok(s.stddev > 12, `the ${name} screenshot is nearly uniform (luminance stddev ${s.stddev.toFixed(1)})`);
      assert.ok(s.colours > 40, `the ${name} screenshot has only ${s.colours} distinct colours`);
    }
    assert.ok(ds.mean < ls.mean - 60, `dark mode should be clearly darker: mean luminance ${ds.mean.toFixed(0)} (dark) vs ${ls.mean.toFixed(0)} (light)`);
  } finally {
    await light.page.close();
    await dark.page.close();
  }
});
