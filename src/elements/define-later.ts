// Imported first by the script-tag kit (src/kit.ts), before the elements: see defineLater.
import { defineLater } from './define.js';

defineLater();
