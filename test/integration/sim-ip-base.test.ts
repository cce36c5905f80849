// Simulators that pick the same random 127.B range must not share it: their tasks would fight over addresses.
import { afterEach, describe, expect, it } from 'vitest';
import { claimIpBase, type IpBaseClaim } from '../../sim/ip-base.js';
import { startSim, type Sim } from '../../sim/index.js';

const claims: IpBaseClaim[] = [];
const sims: Sim[] = [];

afterEach(async () => {
  await Promise.all([...claims.splice(0).map((c) => c.release()), ...sims.splice(0).map((s) => s.close())]);
});

/** The draw that makes claimIpBase pick `ipBase` ('127.B'). */
const drawFor = (ipBase: string) => (Number(ipBase.split('.')[1]) - 10 + 0.5) / 241;

// Ranges are drawn at random here too, since simulators in other test files hold ranges of their own.
describe('claimIpBase', () => {
  it('picks again when the range it drew is held', async () => {
    const first = await claimIpBase();
    claims.push(first);
    let draws = 0;
    const second = await claimIpBase(() => (draws++ < 2 ? drawFor(first.ipBase) : Math.random()));
    claims.push(second);
    expect(draws).toBeGreaterThanOrEqual(3);
    expect(second.ipBase).not.toBe(first.ipBase);
    expect(second.ipBase).toMatch(/^127\.\d{1,3}$/);
  });

  it('frees the range on release', async () => {
    const first = await claimIpBase();
    await first.release();
    const again = await claimIpBase(() => drawFor(first.ipBase));
    claims.push(again);
    expect(again.ipBase).toBe(first.ipBase);
  });

  it('gives up with a clear error when every draw is held', async () => {
    const held = await claimIpBase();
    claims.push(held);
    await expect(claimIpBase(() => drawFor(held.ipBase))).rejects.toThrow(/no free 127\.B\.0\.0\/16 range/);
  });

  it('gives simulators started together ranges of their own, and releases them on close', async () => {
    sims.push(...(await Promise.all([startSim({ launchLatencyMs: 0 }), startSim({ launchLatencyMs: 0 }), startSim({ launchLatencyMs: 0 })])));
    const bases = sims.map((s) => s.options.ipBase);
    expect(new Set(bases).size).toBe(3);
    for (const base of bases) await expect(claimIpBase(() => drawFor(base))).rejects.toThrow(/no free/);
    await expect(startSim({ ipBase: bases[1] })).rejects.toThrow(`ipBase ${bases[1]} is held by another simulator`);
    const [first] = sims.splice(0, 1);
    await first!.close();
    // the released range can be claimed again, from this process or another
    const reclaimed = await claimIpBase(() => drawFor(first!.options.ipBase));
    claims.push(reclaimed);
    expect(reclaimed.ipBase).toBe(first!.options.ipBase);
  });
});
