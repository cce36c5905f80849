// One suite of behaviours every Backend must have, run against each implementation.
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/manager/backend.js';
import type { BackendServer } from '../../src/manager/types.js';
import { waitFor } from '../support/wait.js';

export interface BackendContractOptions {
  /** A fresh backend; called once per test. */
  makeBackend: () => Backend | Promise<Backend>;
  /** Runs after each test, once the backend is closed (stop simulators, kill stragglers). */
  cleanup?: () => Promise<void>;
  /** An id in this backend's format that it never issued. */
  unknownId: string;
  /** Deadline for servers to come up or go; default 10 s. */
  timeoutMs?: number;
}

export function runBackendContract(name: string, options: BackendContractOptions): void {
  const timeoutMs = options.timeoutMs ?? 10_000;

  describe(`Backend contract: ${name}`, () => {
    let backend: Backend | null = null;

    afterEach(async () => {
      try {
        await backend?.close();
      } finally {
        backend = null;
        await options.cleanup?.();
      }
    });

    async function fresh(): Promise<Backend> {
      backend = await options.makeBackend();
      return backend;
    }

    async function reachable(b: Backend, ids: string[]): Promise<BackendServer[]> {
      return waitFor(
        async () => {
          const listed = (await b.list()).filter((s) => ids.includes(s.id) && s.status === 'running' && s.host !== null && s.ports !== null);
          return listed.length === ids.length ? listed : null;
        },
        { timeoutMs, what: `${ids.length} running servers with addresses` },
      );
    }

    it('launch(n) → n servers listed, each answering /health/ at host:ports.health', async () => {
      const b = await fresh();
      const result = await b.launch(2, ['contract-alpha', 'contract-bravo']);
      expect(result.failures).toEqual([]);
      expect(result.launched).toHaveLength(2);
      expect(result.launched.map((s) => s.name).sort()).toEqual(['contract-alpha', 'contract-bravo']);
      const ids = result.launched.map((s) => s.id);
      expect(new Set(ids).size).toBe(2);
      const servers = await reachable(b, ids);
      // the names the manager gave are what the backend lists (ECS: the task's name tag)
      expect(servers.map((s) => s.name).sort()).toEqual(['contract-alpha', 'contract-bravo']);
      for (const s of servers) {
        const res = await fetch(`http://${s.host}:${s.ports?.health}/health/`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { available_capacity: unknown; ready_to_close: unknown };
        expect(body.available_capacity).toEqual(expect.any(Number));
        expect(body.ready_to_close).toBe(false);
      }
    });

    it('launch(0) launches nothing', async () => {
      const b = await fresh();
      expect(await b.launch(0)).toEqual({ launched: [], failures: [] });
      expect((await b.list()).filter((s) => s.status !== 'stopped')).toEqual([]);
    });

    it('stop → the server is listed stopped or no longer listed, and stops answering', async () => {
      const b = await fresh();
      const { launched } = await b.launch(1);
      const [server] = await reachable(b, launched.map((s) => s.id));
      await b.stop(server!.id, 'contract stop');
      await waitFor(async () => {
        const found = (await b.list()).find((s) => s.id === server!.id);
        return found === undefined || found.status === 'stopped';
      }, { timeoutMs, what: 'server stopped' });
      await expect(fetch(`http://${server!.host}:${server!.ports?.health}/health/`)).rejects.toThrow();
    });

    it('markStandby round trip shows in list()', async () => {
      const b = await fresh();
      const { launched } = await b.launch(1);
      const id = launched[0]!.id;
      await b.markStandby(id, true);
      expect((await b.list()).find((s) => s.id === id)?.standby).toBe(true);
      await b.markStandby(id, false);
      expect((await b.list()).find((s) => s.id === id)?.standby).toBe(false);
    });

    it("an operator's hold is recorded with standby and cleared with it", async () => {
      const b = await fresh();
      const { launched } = await b.launch(1);
      const id = launched[0]!.id;
      await b.markStandby(id, true, true);
      expect((await b.list()).find((s) => s.id === id)).toMatchObject({ standby: true, held: true });
      await b.markStandby(id, false);
      expect((await b.list()).find((s) => s.id === id)).toMatchObject({ standby: false, held: false });
    });

    it('stop of an unknown id, or of a server already gone, is not an error', async () => {
      const b = await fresh();
      await expect(b.stop(options.unknownId, 'never existed')).resolves.toBeUndefined();
      const { launched } = await b.launch(1);
      const id = launched[0]!.id;
      await b.stop(id, 'first');
      await waitFor(async () => {
        const found = (await b.list()).find((s) => s.id === id);
        return found === undefined || found.status === 'stopped';
      }, { timeoutMs, what: 'server gone' });
      await expect(b.stop(id, 'second')).resolves.toBeUndefined();
    });

    it('close() may be called more than once, even concurrently', async () => {
      const b = await fresh();
      await b.launch(1);
      const first = b.close();
      const second = b.close();
      await Promise.all([first, second]);
      await expect(b.close()).resolves.toBeUndefined();
    });
  });
}
