import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/*
 * Server rendering: a framework that renders on the server (Next, Nuxt, SvelteKit) imports the
 * elements' modules in Node, where there is no window, document or customElements. Importing any
 * module the package exports must not throw there. Each one is imported from its TypeScript source
 * in its own Node process, so no module can lean on globals another one left behind. The packed
 * package's built files are imported the same way in test/e2e/package-install.test.ts.
 */

const root = new URL('../..', import.meta.url).pathname;

type ExportTarget = string | { types?: string; import?: string };

/** The source module of each JavaScript export of package.json: `./service-status` → src/elements/service-status/service-status.ts. */
function exportedSources(): Array<{ name: string; source: string }> {
  const exports = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<string, ExportTarget>;
  const out: Array<{ name: string; source: string }> = [];
  for (const [name, target] of Object.entries(exports)) {
    if (typeof target === 'string') {
      if (!target.endsWith('.js')) continue; // custom-elements.json, package.json
      // The one plain-file export, the script-tag loader, is built from src/index.ts.
      assert.equal(target, './dist/live-elements.js', `package.json export ${name}: ${target} has no known source; add it to this test`);
      out.push({ name, source: 'src/index.ts' });
      continue;
    }
    assert.ok(target.types, `package.json export ${name} has no "types": this test finds its source through it`);
    out.push({ name, source: target.types.replace(/^\.\/dist\/types\//, 'src/').replace(/\.d\.ts$/, '.ts') });
  }
  return out;
}

const sources = exportedSources();

test('package.json exports the core, every element and the loader', () => {
  const names = sources.map((s) => s.name);
  for (const name of ['.', './core', './service-status', './live-price-chart', './live-elements.js']) assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
});

for (const { name, source } of sources) {
  test(`importing live-elements${name === '.' ? '' : name.slice(1)} (${source}) in Node without a DOM does not throw`, () => {
    const script = [
      `if (typeof window !== 'undefined' || typeof document !== 'undefined') throw new Error('this check needs a Node without a DOM');`,
      `await import(${JSON.stringify(join(root, source))});`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `importing ${source} threw:\n${r.stderr}`);
  });
}
