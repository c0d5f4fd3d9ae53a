#!/usr/bin/env node
// `npx live-elements-relay`: the relay as the package ships it, compiled to JavaScript in
// dist/server/ (no tsx), configured by the environment variables the README lists. No demo: the
// simulator stays off unless SIMULATE=1 is set.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/server/server/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(`live-elements relay: ${fileURLToPath(main)} is missing. In a clone of the repository, run \`npm run build\` first (or \`npm start\`).\n`);
  process.exit(1);
}
// The relay serves the browser kit from this package's dist/; the compiled config's own default
// points inside dist/server/, where no kit is.
if (!process.env.KIT_DIR) process.env.KIT_DIR = fileURLToPath(new URL('../dist', import.meta.url));
await import(main.href);
