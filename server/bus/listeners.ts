/**
 * The subscribers to one kind of bus signal (batches, readiness, trims, epoch changes), shared by
 * the buses. `add` returns the remover, and the same function added twice is two subscriptions.
 */
export class Listeners<Args extends unknown[]> {
  private readonly set = new Set<(...args: Args) => void>();

  /**
   * @param isolatedAs when given, a listener that throws is reported as a process warning that
   *   starts with this name, and the others still run (and the caller does not see the error);
   *   without it the error propagates to whoever emitted.
   */
  constructor(private readonly isolatedAs?: string) {}

  /** How many are subscribed. */
  get size(): number {
    return this.set.size;
  }

  add(listener: (...args: Args) => void): () => void {
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry = (...args: Args) => listener(...args);
    this.set.add(entry);
    return () => {
      this.set.delete(entry);
    };
  }

  emit(...args: Args): void {
    for (const listener of this.set) {
      if (this.isolatedAs === undefined) {
        listener(...args);
        continue;
      }
      try {
        listener(...args);
      } catch (err) {
        process.emitWarning(`${this.isolatedAs} listener threw: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
