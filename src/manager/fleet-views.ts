// What the API reads of the fleet: server views in launch order and the rotation as the seed listed it. Read-only;
// computed when asked, so they never drift from the fleet. (The counts by state and the sessions behind the fleet
// gauges and the summary line are kept as the fleet changes: state-counts.ts.)
import type { Clock } from '../shared/clock.js';
import type { Fleet } from './fleet.js';
import type { ReservationBook } from './reservations.js';
import { gameAddressOf } from './server-record.js';
import { toServerView, type ServerView } from './snapshot.js';

export class FleetViews {
  constructor(
    private readonly fleet: Fleet,
    private readonly book: ReservationBook,
    /** GAMESERVER_CAPACITY: what a report without max_capacity is taken to mean. */
    private readonly capacity: number,
    private readonly clock: Clock,
  ) {}

  servers(): ServerView[] {
    const now = this.clock.now();
    return [...this.fleet.all()]
      .sort((a, b) => a.launchedAt - b.launchedAt || a.id.localeCompare(b.id))
      .map((r) => toServerView(r, this.book, this.capacity, now));
  }

  server(id: string): ServerView | undefined {
    const r = this.fleet.get(id);
    return r ? toServerView(r, this.book, this.capacity, this.clock.now()) : undefined;
  }

  /** Addresses of servers in rotation (`host:gamePort`), as the seed's list route gave them. */
  rotation(): string[] {
    return this.fleet.inRotation().map((r) => gameAddressOf(r) as string);
  }
}
