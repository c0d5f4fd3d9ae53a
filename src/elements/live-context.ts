import { createContext } from '@lit/context';
import type { LiveConnection } from '../core/live-connection.js';

/**
 * How `<live-source>` hands its connection to the elements inside it: a context of
 * `@lit/context` (the community context protocol,
 * https://github.com/webcomponents-cg/community-protocols/blob/main/proposals/context.md).
 * `<live-source>` provides it with a `ContextProvider`, every live element asks for it with a
 * `ContextConsumer`. The key is this string, so a page's own consumer of
 * `createContext('live-elements:connection')` gets the same connection. Elements outside any
 * `<live-source>` use the page default (the script tag's `data-relay` or `configure()`).
 */
export const liveConnectionContext = createContext<LiveConnection | undefined>('live-elements:connection');
