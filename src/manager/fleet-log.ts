// One log line per fleet event, built from the event's own fields.
import type { Logger } from '../shared/log.js';
import { gameAddressOf, stateOf, type FleetEvent } from './server-record.js';

export function logFleetEvents(logger: Logger, events: readonly FleetEvent[]): void {
  for (const e of events) {
    const fields = { serverId: e.server.id, name: e.server.name };
    switch (e.type) {
      case 'added':
        logger.info(e.source === 'launch' ? 'server pending' : 'server discovered', { ...fields, state: stateOf(e.server) });
        break;
      case 'active':
        logger.info(e.server.standby ? 'server healthy on standby' : 'server active', { ...fields, address: gameAddressOf(e.server) });
        break;
      case 'out_of_rotation':
        logger.warn('server out of rotation', { ...fields, reason: e.reason });
        break;
      case 'unhealthy':
        logger.warn('server unhealthy', { ...fields, reason: e.reason });
        break;
      case 'removed':
        logger.info('server gone', { ...fields, reason: e.reason });
        break;
    }
  }
}
