// One log line per fleet event, built from the event's own fields. Events seen in bulk (a rebuild, a poll round)
// go through LogBursts when one is given; launches, which the manager decided, are always written in full.
import type { BurstLevel, LogBursts } from '../shared/log-bursts.js';
import type { Logger } from '../shared/log.js';
import { gameAddressOf, stateOf, type FleetEvent } from './server-record.js';

/** One line about what the manager saw: through `bursts` when given (20 a kind per poll round), else as it comes. */
export function logObserved(logger: Logger, bursts: LogBursts | undefined, level: BurstLevel, message: string, fields: Record<string, unknown>, tally?: string): void {
  if (bursts) bursts.log(level, message, fields, tally);
  else logger[level](message, fields);
}

export function logFleetEvents(logger: Logger, events: readonly FleetEvent[], bursts?: LogBursts): void {
  // Called for every poll, nearly always with no event: nothing is made for those.
  if (events.length === 0) return;
  const write = (level: BurstLevel, message: string, fields: Record<string, unknown>, tally?: string): void => logObserved(logger, bursts, level, message, fields, tally);
  for (const e of events) {
    const fields = { serverId: e.server.id, name: e.server.name };
    switch (e.type) {
      case 'added':
        if (e.source === 'launch') logger.info('server pending', { ...fields, state: stateOf(e.server) });
        else write('info', 'server discovered', { ...fields, state: stateOf(e.server) }, 'state');
        break;
      case 'active':
        write('info', e.server.standby ? 'server healthy on standby' : 'server active', { ...fields, address: gameAddressOf(e.server) });
        break;
      case 'out_of_rotation':
        write('warn', 'server out of rotation', { ...fields, reason: e.reason }, 'reason');
        break;
      case 'unhealthy':
        write('warn', 'server unhealthy', { ...fields, reason: e.reason }, 'reason');
        break;
      case 'removed':
        write('info', 'server gone', { ...fields, reason: e.reason }, 'reason');
        break;
    }
  }
}
