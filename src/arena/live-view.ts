// On a terminal: one line per running match and a totals line, redrawn in place. Off a terminal nothing is drawn
// (the JSON log lines say the same).
import type { ArenaWorker } from './worker.js';

export function renderLiveLines(worker: Pick<ArenaWorker, 'running' | 'totals'>, now: number): string[] {
  const lines = [...worker.running.values()]
    .sort((a, b) => a.claim.matchId - b.claim.matchId)
    .map((m) => {
      const secs = Math.round((now - m.startedAt) / 1000);
      const who = m.claim.players.map((p) => p.name).join(' vs ');
      return `  match ${m.claim.matchId}  attempt ${m.claim.attempt}  ${m.phase.padEnd(9)} ${String(secs).padStart(4)}s  ${who}`;
    });
  const t = worker.totals;
  lines.push(`queued ${t.queued}  running ${worker.running.size}  finished ${t.finished}  failed ${t.failed}  retried ${t.retried}  given back ${t.givenBack}  lost leases ${t.lost}`);
  return lines;
}

export interface LiveView {
  update(): void;
  close(): void;
}

export function createLiveView(worker: Pick<ArenaWorker, 'running' | 'totals'>, out: NodeJS.WriteStream): LiveView {
  let drawn = 0;
  const draw = (): void => {
    const lines = renderLiveLines(worker, Date.now());
    // move up over the previous frame and clear it, then write the new one
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[0J`);
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    update: draw,
    close: () => {
      clearInterval(timer);
      draw();
    },
  };
}
