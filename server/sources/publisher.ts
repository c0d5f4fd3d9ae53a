import type { AppendInput, AppendResult, Bus } from '../bus/bus.js';

/** How the feeds write to the log: the bus's append, counted in `live_events_published_total`. */
export type Publish = (inputs: readonly AppendInput[]) => Promise<AppendResult>;

/** Something that counts published events (the relay's `metrics.eventsPublished`). */
export interface PublishCounter {
  inc(n: number): void;
}

/** A {@link Publish} over `bus.append` that counts what it wrote. */
export function busPublisher(bus: Bus, counter?: PublishCounter): Publish {
  return async (inputs) => {
    const result = await bus.append(inputs);
    if (result.events.length) counter?.inc(result.events.length);
    return result;
  };
}
