// The docker runner against a real engine (a private dockerd with a locally built python image):
// the cases and hostile solvers of the bwrap suite, with the same verdicts and limits, then the
// judge pipeline with either runner giving the same verdicts.
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictFor } from '../../../src/carp/verdict.js';
import { DockerRunner, OWNER_LABEL } from '../../../judge/runners/docker.js';
import { createRunner } from '../../../judge/runners/index.js';
import { DEFAULT_FILE_SIZE_MB, SANDBOX_WORKDIR, type Runner } from '../../../judge/runners/types.js';
import { dockerEngineMissing, startDockerEngine, type DockerEngine } from '../../helpers/docker-engine.js';
import { startTestGateway } from '../../helpers/gateway.js';
import { archive, GDB10, judgeFixture, startTestJudge, waitFor, type SOLVERS } from '../../judge-service/support.js';
import {
  FAILING_SOLVER,
  FILE_SIZE_PROBE,
  FORK_BOMB,
  FORK_UNTIL_REFUSED_PROBE,
  IDENTITY_PROBE,
  LOOPING_SOLVER,
  MEMORY_HOG,
  MEMORY_TREE,
  networkProbe,
  SELF_KILLING_SOLVER,
  expectStderrFloodTail,
  expectStdoutFloodTail,
  STDERR_FLOOD,
  STDOUT_FLOOD,
  TMP_FILL_PROBE,
  writeProbe,
} from './solvers.js';
import { GOOD_SOLVER, INSTANCE, leftovers, listProcesses, runSolver, scratchBase, sleep } from './support.js';

const exec = promisify(execFile);

/** The container user (nobody): a process of it on the host after a run is a leftover. */
const CONTAINER_UID: [number, number] = [65534, 65535];
const MB = 1024 * 1024;
/** How long past the wall limit the engine may take to kill a container (through dockerd, containerd and the shim). */
const KILL_SEC = 2;

describe.skipIf(dockerEngineMissing !== null)('docker runner on a real engine', () => {
  let engine: DockerEngine;
  let runner: DockerRunner;
  let scratch: { base: string; remove(): Promise<void> };
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    engine = await startDockerEngine();
    runner = new DockerRunner({ image: engine.image, host: engine.host });
    scratch = await scratchBase('docker-engine');
  }, 300_000);
  afterAll(async () => {
    for (const c of cleanups) await c();
    await scratch?.remove();
    await engine?.stop();
  }, 60_000);

  async function run(
    code: string,
    limits: Parameters<typeof runSolver>[3] = {},
    extra: Parameters<typeof runSolver>[4] = {},
    sandbox: Runner = runner,
  ) {
    const r = await runSolver(sandbox, scratch.base, code, limits, extra);
    cleanups.push(r.solver.cleanup);
    return r;
  }

  /** Runs python code that prints one JSON line; returns it parsed. */
  async function probe(code: string, limits: Parameters<typeof runSolver>[3] = {}) {
    const { result } = await run(`import json, os, sys\n${code}\n`, limits);
    expect(result.stderr).toBe('');
    expect(result.exitcode).toBe(0);
    return JSON.parse(result.stdout.trim().split('\n').pop()!);
  }

  /** Names of the engine's containers, running or not. */
  const containers = async () => (await engine.docker('ps', '--all', '--format', '{{.Names}}')).split('\n').filter(Boolean);

  /** Nothing of the run survives it: no container (the tests run one at a time), no process of the container user. */
  async function expectNothingLeft() {
    expect(await containers()).toEqual([]);
    // The engine is done with a container once its init is reaped; on a loaded host the kernel may
    // take a moment more to reap the other processes it killed, so look again for up to 3 s.
    let left = leftovers({ uidRange: CONTAINER_UID });
    for (let i = 0; i < 30 && left.length > 0; i++) {
      await sleep(100);
      left = leftovers({ uidRange: CONTAINER_UID });
    }
    expect(left).toEqual([]);
  }

  describe('normal runs', () => {
    it('runs a good solver with the judge argv, cwd = /box, instance readable', async () => {
      const { result } = await run(GOOD_SOLVER);
      expect(result).toMatchObject({ timedout: false, exitcode: 0, stderr: '', outOverflow: false, errOverflow: false });
      expect(result.stdout).toBe(`s 0,(1,2),0\nq 5\nargs -t 2 -s 42\nfirst ${INSTANCE.split('\n')[0]}\n`);
      expect(result.time).toBeGreaterThan(0);
      expect(result.time).toBeLessThan(2);
      await expectNothingLeft();
    });

    it('runs as an unprivileged uid without capabilities, under seccomp, in its own pid namespace, with the file size limit', async () => {
      const value = await probe(IDENTITY_PROBE);
      expect(value).toMatchObject({ uid: 65534, euid: 65534, gid: 65534, capeff: '0000000000000000', capbnd: '0000000000000000' });
      expect(value.groups.filter((g: number) => g !== value.gid)).toEqual([]); // docker lists the primary group
      expect(value.nnp).toBe('1');
      expect(value.seccomp).toBe('2'); // filter mode (docker's default profile)
      expect(value.cwd).toBe(SANDBOX_WORKDIR);
      expect(value.pid).toBeGreaterThan(1); // docker-init is PID 1
      expect(value.procs.length).toBeLessThan(5);
      expect(value.fsize).toEqual([DEFAULT_FILE_SIZE_MB * MB, DEFAULT_FILE_SIZE_MB * MB]);
    });

    it('reports the exit code of a failing solver and keeps its stderr', async () => {
      const { result } = await run(FAILING_SOLVER);
      expect(result).toMatchObject({ timedout: false, exitcode: 1, stdout: 'partial\n', stderr: 'boom\n' });
    });

    it('reports 128+signal for a solver killed by a signal (137 for SIGKILL)', async () => {
      const { result } = await run(SELF_KILLING_SOLVER);
      expect(result).toMatchObject({ timedout: false, exitcode: 137 });
    });

    it('runs a dataset asking for more CPUs than the host has (docker refuses such a --cpus)', async () => {
      const { result } = await run(GOOD_SOLVER, { cpus: availableParallelism() * 2 });
      expect(result).toMatchObject({ exitcode: 0, stderr: '' });
    });
  });

  describe('limits', () => {
    it('kills an endless loop at the wall limit: timedout, exitcode -1, time ≈ limit, container gone', async () => {
      const { result } = await run(LOOPING_SOLVER, { timeSec: 1 });
      expect(result).toMatchObject({ timedout: true, exitcode: -1 });
      expect(result.time).toBeGreaterThanOrEqual(1);
      expect(result.time).toBeLessThan(1 + KILL_SEC);
      await expectNothingLeft();
    });

    it('keeps the last bytes of 10 MB of stdout (outOverflow, length == cap)', async () => {
      expectStdoutFloodTail((await run(STDOUT_FLOOD)).result);
    });

    it('keeps the last bytes of a stderr flood, with a custom cap', async () => {
      expectStderrFloodTail((await run(STDERR_FLOOD, {}, { outputCapBytes: 1000 })).result);
    });

    it('the engine keeps no copy of the output (no container log on its disk)', async () => {
      let largest = 0;
      const running = run(`${STDOUT_FLOOD}sys.stdout.flush()\nimport time\ntime.sleep(30)\n`, { timeSec: 3 });
      for (let done = false; !done; ) {
        done = await Promise.race([running.then(() => true), sleep(200).then(() => false)]);
        const du = await exec('du', ['-sb', `${engine.dataRoot}/containers`]);
        largest = Math.max(largest, Number(du.stdout.split('\t')[0]));
      }
      const { result } = await running;
      expect(result).toMatchObject({ timedout: true, outOverflow: true });
      expect(result.stdout.endsWith('x\nTHE END\n')).toBe(true);
      expect(largest).toBeLessThan(MB);
    });

    it('contains a fork bomb: killed at the wall limit, host unaffected, nothing left', async () => {
      const before = listProcesses().length;
      const { result } = await run(FORK_BOMB, { timeSec: 1 });
      expect(result).toMatchObject({ timedout: true, exitcode: -1 });
      expect(result.time).toBeLessThan(1 + KILL_SEC);
      await expectNothingLeft();
      expect(listProcesses().length).toBeLessThan(before + 20);
    });

    it('caps the number of processes per run at `pids` (the container pids cgroup, docker-init aside)', async () => {
      const value = await probe(FORK_UNTIL_REFUSED_PROBE, { pids: 20 });
      expect(value).toEqual({ forked: 19, errno: 11 }); // python itself + 19 children; EAGAIN
      await expectNothingLeft(); // the sleeping children died with the container
    });

    it('stops a memory hog at the memory limit: OOM-killed, 137', async () => {
      const { result } = await run(MEMORY_HOG, { memoryMb: 128 });
      expect(result).toMatchObject({ timedout: false, exitcode: 137 });
    });

    it('limits the memory of the whole container: forked children share the limit, an OOM-killed child reports 137', async () => {
      const { result } = await run(MEMORY_TREE, { memoryMb: 128, timeSec: 10 });
      // The parent itself exits 0 once its children are gone: the engine tells the OOM kill.
      expect(result.exitcode).toBe(137);
      expect(result.stdout.split('\n').filter((l) => l === 'alive').length).toBeLessThan(6);
      expect(verdictFor(INSTANCE, result).reason).toBe('Killed (Out of memory)');
    });

    it('limits the size of written files (ulimit fsize) and of /tmp (half the memory limit)', async () => {
      expect(await probe(FILE_SIZE_PROBE, { fileSizeMb: 2 })).toEqual({ box: 27, tmp: 'ok' }); // EFBIG in /box
      expect(await probe(TMP_FILL_PROBE, { memoryMb: 32 })).toBe(28); // ENOSPC, not an OOM kill
    });
  });

  describe('isolation', () => {
    it('cannot write outside /box and /tmp: the root file system is read-only', async () => {
      const tag = `pwned-${process.pid}-${Date.now()}`;
      const readOnly = ['/', '/etc/', '/usr/', '/usr/local/', '/usr/lib/python3/', '/var/', '/var/tmp/', '/home/', '/box/../'].map(
        (d) => `${d}${tag}`,
      );
      const others = ['/root/', '/proc/', '/dev/'].map((d) => `${d}${tag}`);
      const value = await probe(writeProbe([...readOnly, '/etc/passwd', ...others, `/box/${tag}`, `/tmp/${tag}`]));
      for (const p of [...readOnly, '/etc/passwd']) expect(value[p], p).toBe(30); // EROFS
      for (const p of others) expect(value[p], p).not.toBe('written');
      expect(value[`/box/${tag}`]).toBe('written');
      expect(value[`/tmp/${tag}`]).toBe('written');
    });

    it('has no network: neither the host loopback (listener sees nothing) nor the internet', async () => {
      let connections = 0;
      const server: Server = createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      try {
        const value = await probe(networkProbe(port));
        for (const v of Object.values(value)) expect(v).not.toMatch(/connected|resolved/);
        expect(value[`127.0.0.1:${port}`]).toMatch(/refused/i); // the container's own loopback
        expect(value['1.1.1.1:53']).toMatch(/unreachable/i);
      } finally {
        await new Promise((r) => server.close(r));
      }
      expect(connections).toBe(0);
    });
  });

  describe('cancellation and engine errors', () => {
    it('an AbortSignal kills the container and rejects, whether it runs yet or not; nothing is left', async () => {
      const ac = new AbortController();
      const started = performance.now();
      const p = run(LOOPING_SOLVER, { timeSec: 10 }, { signal: ac.signal });
      await waitFor('the container to run', async () => (await engine.docker('ps', '--quiet', '--filter', 'status=running')).trim());
      ac.abort(new Error('cancelled by test'));
      await expect(p).rejects.toThrow('cancelled by test');
      expect(performance.now() - started).toBeLessThan(5000);
      await expectNothingLeft();

      const early = new AbortController();
      const q = run(LOOPING_SOLVER, { timeSec: 10 }, { signal: early.signal });
      // As soon as the container exists: it is being started, or just was.
      await waitFor('the container to exist', async () => (await containers()).length > 0);
      early.abort(new Error('cancelled early'));
      await expect(q).rejects.toThrow('cancelled early');
      await expectNothingLeft();
    });

    it('rejects at once when the signal is already aborted, creating nothing', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(run('print(1)', {}, { signal: ac.signal })).rejects.toBeDefined();
      expect(await containers()).toEqual([]);
    });

    it("a runner's first run removes the containers a dead judge of this host left running, and only those", async () => {
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      const leave = (name: string, owner: string) =>
        engine.docker('run', '--detach', '--name', name, '--network', 'none', '--label', `${OWNER_LABEL}=${owner}`, engine.image, 'sleep', '600');
      await leave('orphan', `${hostname()}:${dead}`);
      await leave('live-judge', `${hostname()}:${process.ppid}`);
      await leave('other-host', `elsewhere:${dead}`);
      const fresh = new DockerRunner({ image: engine.image, host: engine.host });
      expect((await run(GOOD_SOLVER, {}, {}, fresh)).result.exitcode).toBe(0);
      expect((await containers()).sort()).toEqual(['live-judge', 'other-host']);
      await engine.docker('rm', '--force', 'live-judge', 'other-host');
      await expectNothingLeft();
    });

    it('a container the engine cannot start is an error, not an exit code of the solver', async () => {
      const broken = new DockerRunner({ image: engine.image, host: engine.host, extraArgs: ['--tmpfs', '/run:bogus=1'] });
      await expect(run(GOOD_SOLVER, {}, {}, broken)).rejects.toThrow(/did not start the container: .*bogus/);
      await expectNothingLeft();
    });
  });

  describe('judge pipeline', () => {
    it('judges real gdb10 submissions with the docker runner exactly as with bwrap', async () => {
      const gw = await startTestGateway();
      try {
        const fx = await judgeFixture(gw, 5);
        const short = (await fx.root.post('/api/dataset/add', { name: 'gdb10-2s', time: 2, memory: 256, cpu: 1, data: GDB10 })).json.id as string;
        const cases: Array<[keyof typeof SOLVERS, string]> = [
          ['good', fx.datasetId],
          ['exits1', fx.datasetId],
          ['invalid', fx.datasetId],
          ['loops', short],
          // More than the judge's work dir holds: the tmpfs the judge mounts bounds it under docker too.
          ['fills', fx.datasetId],
        ];
        /** Submits every case, judges them with `sandbox`, returns their verdicts in order. */
        const judgeAll = async (sandbox: Runner) => {
          const cids: string[] = [];
          for (const [solver, dataset] of cases) cids.push((await fx.root.post('/api/judge/submit', { dataset, data: archive(solver) })).json.cid);
          const judge = startTestJudge(gw.url, 2, sandbox);
          try {
            return await Promise.all(
              cids.map((cid) =>
                waitFor(`case ${cid} to finish`, async () => {
                  const c = (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
                  return (
                    c.status >= 3 && { status: c.status, valid: c.valid, cost: c.cost, reason: c.reason, timedout: c.timedout, exitcode: c.exitcode }
                  );
                }),
              ),
            );
          } finally {
            await judge.stop();
          }
        };
        const viaBwrap = await judgeAll(createRunner('bwrap'));
        const viaDocker = await judgeAll(createRunner('docker', { docker: { image: engine.image, host: engine.host } }));
        expect(viaDocker).toEqual(viaBwrap);
        expect(viaDocker[0]).toMatchObject({ status: 3, valid: true, cost: 298, reason: 'Solution Accepted.', exitcode: 0 });
        expect(viaDocker[3]).toMatchObject({ timedout: true, reason: 'Timed out' });
        expect(viaDocker[4]).toMatchObject({ exitcode: 1, reason: 'Exit code is not zero' });
      } finally {
        await gw.stop();
      }
      expect(await containers()).toEqual([]);
    });
  });
});
