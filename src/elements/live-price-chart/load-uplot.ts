import type uPlot from 'uplot';

let loading: Promise<typeof uPlot> | null = null;

/**
 * uPlot, loaded on first use: a dynamic import, so pages without a chart never download it and
 * the bundler puts it in its own chunk.
 */
export function loadUplot(): Promise<typeof uPlot> {
  loading ??= import('uplot').then((m) => (m as unknown as { default: typeof uPlot }).default ?? (m as unknown as typeof uPlot));
  return loading;
}
