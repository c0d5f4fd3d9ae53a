import { createContext } from '@lit/context';
import type { LiveConnection } from '../core/live-connection.js';

/**
 * The connection `<live-source>` provides to its subtree. Elements outside any `<live-source>`
 * use the page default (the script tag's `data-relay` or `configure()`).
 */
export const liveConnectionContext = createContext<LiveConnection | undefined>('live-elements:connection');
