// The one owner of server names. Launches get their names here (written to the task's name tag at launch), a
// replacement takes the name of the server it replaces, and every observation that brings servers in is checked:
// a name two live servers share, or a server with no name from the list, is resolved here, logged and counted.
import type { Logger } from '../shared/log.js';
import { namesForLaunch, resolveNames, type NameBook, type NamedServer } from '../proxy/names.js';
import type { Fleet } from './fleet.js';
import type { FleetEvent, ServerRecord } from './server-record.js';
import type { ManagerMetrics } from './metrics.js';

export interface ServerNamesDeps {
  book: NameBook;
  fleet: Fleet;
  logger: Logger;
  metrics: ManagerMetrics;
  /** Writes a server's new name durably (the ECS name tag), in the background. */
  retag: (id: string, name: string) => void;
}

/** Reuse queue bound: more replacements than this waiting at once is a fleet in trouble, not a naming concern. */
const MAX_REUSE = 1000;

export class ServerNames {
  /** Names of replaced servers, for their replacements; first come first served. */
  private readonly reuse: string[] = [];
  /** Names taken from `reuse` by a launch under way, so a failed launch gives them back. */
  private readonly inLaunch = new Set<string>();

  constructor(private readonly deps: ServerNamesDeps) {}

  /** Names for `count` servers about to launch; what the launch does not use goes back with `returned`. */
  forLaunch(count: number): string[] {
    const names = namesForLaunch(this.deps.book, this.live(), this.reuse, count);
    const used = new Set(names);
    for (const n of this.reuse) if (used.has(n)) this.inLaunch.add(n);
    this.reuse.splice(0, this.reuse.length, ...this.reuse.filter((n) => !used.has(n)));
    return names;
  }

  /** Names a launch did not start a server under: a replacement's name waits for the next launch. */
  returned(names: readonly string[], launched: readonly { name: string }[]): void {
    const started = new Set(launched.map((s) => s.name));
    const back = names.filter((n) => !started.has(n) && this.inLaunch.has(n));
    for (const n of names) this.inLaunch.delete(n);
    this.reuse.unshift(...back);
  }

  /** A server that is being replaced (stopped while unhealthy or never healthy, or gone on its own) frees its name for its replacement. */
  released(record: ServerRecord): void {
    if (record.name === '' || this.reuse.includes(record.name)) return;
    this.reuse.push(record.name);
    if (this.reuse.length > MAX_REUSE) this.reuse.shift();
  }

  /** Follows fleet events: servers that vanish give their names to their replacements; new servers are checked. */
  onEvents(events: readonly FleetEvent[]): void {
    let added = false;
    for (const e of events) {
      if (e.type === 'removed' && e.server.lifecycle !== 'stopping') this.released(e.server);
      else if (e.type === 'added') added = true;
    }
    if (added) this.resolve();
  }

  /** Names waiting for a replacement, oldest first (for the tests and the log). */
  waiting(): readonly string[] {
    return this.reuse;
  }

  private resolve(): void {
    const { book, fleet, logger, metrics, retag } = this.deps;
    for (const r of resolveNames(book, this.live())) {
      if (r.why === 'collision') {
        metrics.nameCollisions.inc();
        logger.error('server name collision', { name: r.from, keptBy: r.keptBy, serverId: r.id, renamedTo: r.to });
        fleet.setName(r.id, r.to, `renamed from ${r.from}: ${r.keptBy} holds that name (launched first)`);
      } else {
        logger.info('server named', { serverId: r.id, name: r.to, ...(r.from ? { previous: r.from } : {}) });
        fleet.setName(r.id, r.to, r.from ? `renamed from ${r.from}: not a name from the list` : null);
      }
      retag(r.id, r.to);
    }
  }

  private live(): NamedServer[] {
    return this.deps.fleet
      .all()
      .filter((r) => r.lifecycle !== 'stopping')
      .map((r) => ({ id: r.id, name: r.name, launchedAt: r.launchedAt }));
  }
}
