import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictFor } from '../../../src/carp/verdict.js';
import { BwrapRunner, bwrapArgs, checkBwrap, detectPython } from '../../../judge/runners/bwrap.js';
import { mountsUnder } from '../../../judge/bounded-dir.js';
import { createRunner } from '../../../judge/runners/index.js';
import { seccompFilter } from '../../../judge/runners/seccomp.js';
import { SANDBOX_WORKDIR } from '../../../judge/runners/types.js';
import { GOOD_SOLVER, INSTANCE, leftovers, listProcesses, runSolver, scratchBase, sleep } from './support.js';
import {
  FAILING_SOLVER,
  FILE_SIZE_PROBE,
  FORK_BOMB,
  FORK_UNTIL_REFUSED_PROBE,
  IDENTITY_PROBE,
  LOOPING_SOLVER,
  MEMORY_HOG,
  MEMORY_TREE,
  SELF_KILLING_SOLVER,
  expectStderrFloodTail,
  expectStdoutFloodTail,
  STDERR_FLOOD,
  STDOUT_FLOOD,
  TMP_FILL_PROBE,
  networkProbe,
  writeProbe,
} from './solvers.js';

// A uid range of its own, so leftover scans do not see other test files' sandboxes.
const UID_BASE = 2_100_000;
const UID_COUNT = 1000;
const UID_RANGE: [number, number] = [UID_BASE, UID_BASE + UID_COUNT];

let runner: BwrapRunner;
let scratch: { base: string; remove(): Promise<void> };
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const check = checkBwrap();
  expect(check, check.message).toMatchObject({ ok: true });
  runner = new BwrapRunner({ uidBase: UID_BASE, uidCount: UID_COUNT });
  scratch = await scratchBase('bwrap');
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await scratch?.remove();
});

async function run(code: string, limits: Parameters<typeof runSolver>[3] = {}, extra: Parameters<typeof runSolver>[4] = {}) {
  const r = await runSolver(runner, scratch.base, code, limits, extra);
  cleanups.push(r.solver.cleanup);
  return r;
}

/** Nothing of the run may survive it: no process of a sandbox uid, none mentioning its work dir. */
async function expectNoLeftovers(workDir: string) {
  // run() resolves once the sandbox's pid namespace is gone; on a loaded host the kernel may take
  // a moment more to reap the namespace's last killed processes, so look again for up to 3 s.
  let left = leftovers({ uidRange: UID_RANGE, marker: workDir });
  for (let i = 0; i < 30 && left.length > 0; i++) {
    await sleep(100);
    left = leftovers({ uidRange: UID_RANGE, marker: workDir });
  }
  expect(left).toEqual([]);
}

/** Runs python code that prints one JSON line; returns it parsed. */
async function probe(code: string, limits: Parameters<typeof runSolver>[3] = {}, extra: Parameters<typeof runSolver>[4] = {}) {
  const { result, solver } = await run(`import json, os, sys\n${code}\n`, limits, extra);
  expect(result.stderr).toBe('');
  expect(result.exitcode).toBe(0);
  const last = result.stdout.trim().split('\n').pop()!;
  return { value: JSON.parse(last), result, solver };
}

describe('bwrap runner: normal runs', () => {
  it('runs a good solver with the judge argv, cwd = /box, instance readable', async () => {
    const { result, solver } = await run(GOOD_SOLVER);
    expect(result).toMatchObject({ timedout: false, exitcode: 0, stderr: '', outOverflow: false, errOverflow: false });
    expect(result.stdout).toBe(`s 0,(1,2),0\nq 5\nargs -t 2 -s 42\nfirst ${INSTANCE.split('\n')[0]}\n`);
    expect(result.time).toBeGreaterThan(0);
    expect(result.time).toBeLessThan(2);
    await expectNoLeftovers(solver.dir);
  });

  it('runs as an unprivileged uid without capabilities, with the rlimits, in its own namespaces', async () => {
    const { value } = await probe(IDENTITY_PROBE);
    expect(value.uid).toBeGreaterThanOrEqual(UID_BASE);
    expect(value.uid).toBeLessThan(UID_BASE + UID_COUNT);
    expect(value.euid).toBe(value.uid);
    expect(value.gid).toBe(value.uid);
    expect(value.groups).toEqual([]);
    expect(value.capeff).toBe('0000000000000000');
    expect(value.capbnd).toBe('0000000000000000');
    expect(value.nnp).toBe('1');
    expect(value.seccomp).toBe('2'); // filter mode
    expect(value.cwd).toBe(SANDBOX_WORKDIR);
    expect(value.host).toBe('arena');
    expect(value.pid).toBeLessThan(10); // own pid namespace: bwrap's init is 1
    expect(value.procs.length).toBeLessThan(5);
    expect(value.nproc).toEqual([64, 64]);
    expect(value.as[0]).toBe((256 + 256) * 1024 * 1024);
    expect(value.cpu).toEqual([3, 3]);
    expect(value.fsize).toEqual([64 * 1024 * 1024, 64 * 1024 * 1024]);
    expect(value.nofile).toEqual([256, 256]);
    expect(Object.keys(value.env).sort()).toEqual(
      ['HOME', 'LANG', 'MKL_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PATH', 'PWD', 'TMPDIR', 'USER'].sort(),
    );
  });

  it('reports the exit code of a failing solver and keeps its stderr', async () => {
    const { result } = await run(FAILING_SOLVER);
    expect(result).toMatchObject({ timedout: false, exitcode: 1, stdout: 'partial\n', stderr: 'boom\n' });
  });

  it('reports 128+signal for a solver killed by a signal (137 for SIGKILL, as docker)', async () => {
    const { result } = await run(SELF_KILLING_SOLVER);
    expect(result).toMatchObject({ timedout: false, exitcode: 137 });
  });

  it('python can use multiprocessing (semaphores in /dev/shm) and threads', async () => {
    const { value } = await probe(`
import multiprocessing as mp, threading
with mp.Pool(2) as p: r = p.map(abs, [-1, -2, -3])
ts = [threading.Thread(target=lambda: None) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps(r))`);
    expect(value).toEqual([1, 2, 3]);
  });
});

describe('bwrap runner: limits', () => {
  it('kills an endless loop at the wall limit: timedout, exitcode -1, time ≈ limit, nothing left', async () => {
    const { result, solver } = await run(LOOPING_SOLVER, { timeSec: 1 });
    expect(result).toMatchObject({ timedout: true, exitcode: -1 });
    expect(result.time).toBeGreaterThanOrEqual(1);
    expect(result.time).toBeLessThan(2);
    await expectNoLeftovers(solver.dir);
  });

  it('keeps the last bytes of 10 MB of stdout (outOverflow, length == cap)', async () => {
    expectStdoutFloodTail((await run(STDOUT_FLOOD)).result);
  });

  it('keeps the last bytes of a stderr flood, with a custom cap', async () => {
    expectStderrFloodTail((await run(STDERR_FLOOD, {}, { outputCapBytes: 1000 })).result);
  });

  it('contains a fork bomb: at most `pids` tasks, killed at the wall limit, host unaffected, nothing left', async () => {
    const before = listProcesses().length;
    const { result, solver } = await run(FORK_BOMB, { timeSec: 1 });
    expect(result).toMatchObject({ timedout: true, exitcode: -1 });
    expect(result.time).toBeLessThan(2);
    await expectNoLeftovers(solver.dir);
    expect(listProcesses().length).toBeLessThan(before + 20);
  });

  it('caps the number of processes per run at `pids` (RLIMIT_NPROC of a per-run uid)', async () => {
    const { value, solver } = await probe(FORK_UNTIL_REFUSED_PROBE, { pids: 20 });
    // 20 tasks for the uid: python itself + 19 children (no other process of that uid exists).
    expect(value.forked).toBe(19);
    expect(value.errno).toBe(11); // EAGAIN
    // The sleeping children died with the sandbox.
    await expectNoLeftovers(solver.dir);
  });

  it('stops a memory hog at the memory limit: OOM-killed, 137 as docker reported it; one huge allocation is a MemoryError', async () => {
    const { result } = await run(MEMORY_HOG, { memoryMb: 128 });
    expect(result.timedout).toBe(false);
    expect(result.exitcode).toBe(137);
    const big = await run('x = bytearray(64 * 1024 ** 3)\n', { memoryMb: 128 });
    expect(big.result.exitcode).toBe(1);
    expect(big.result.stderr).toContain('MemoryError');
  });

  it('limits the memory of the whole tree, not of each process: forked children share the limit (cgroup)', async () => {
    const { result } = await run(MEMORY_TREE, { memoryMb: 128, timeSec: 10 });
    // Six children of 60 MiB each fit one by one under RLIMIT_AS, not together under 128 MB.
    expect(result.exitcode).toBe(137);
    expect(result.stdout.split('\n').filter((l) => l === 'alive').length).toBeLessThan(6);
    expect(verdictFor(INSTANCE, result).reason).toBe('Killed (Out of memory)');
  });

  it('limits the size of written files (RLIMIT_FSIZE) and of /tmp', async () => {
    const { value } = await probe(FILE_SIZE_PROBE, { fileSizeMb: 2 });
    expect(value.box).toBe(27); // EFBIG
    expect(value.tmp).toBe('ok');
    const { value: tmpFull } = await probe(TMP_FILL_PROBE, { memoryMb: 32 });
    expect(tmpFull).toBe(28); // ENOSPC: /tmp is sized to half the memory limit (its pages count as the run's memory)
  });

  it('bounds the work dir as a whole: 12 files of 6 MiB fill a 16 MB work dir, not the host disk', async () => {
    const { value, solver } = await probe(
      `
written = 0
try:
  for i in range(12):
    with open('/box/f%d' % i, 'wb') as f: f.write(b'\\1' * 6 * 1024 * 1024)
    written += 1
  r = 'ok'
except OSError as e:
  r = e.errno
print(json.dumps({'r': r, 'written': written}))`,
      { memoryMb: 256, fileSizeMb: 8 },
      { workDirMb: 16 },
    );
    expect(solver.bounded).toBe(true);
    expect(value).toEqual({ r: 28, written: 2 }); // ENOSPC on the third file
    expect(statfsSync(solver.dir).blocks * statfsSync(solver.dir).bsize).toBeLessThanOrEqual(16 * 1024 * 1024);
    await solver.cleanup();
    expect(existsSync(solver.dir)).toBe(false);
    expect((await mountsUnder(scratch.base)).length).toBe(0);
  });
});

describe('bwrap runner: isolation', () => {
  it('cannot write outside its dir: /work, /root, /etc, /usr, /, the python install; nothing appears on the host', async () => {
    const tag = `pwned-${process.pid}-${Date.now()}`;
    const py = detectPython();
    const targets = [
      `/work/main/${tag}`,
      `/work/${tag}`,
      `/root/${tag}`,
      `/etc/${tag}`,
      `/usr/${tag}`,
      `/usr/local/${tag}`,
      `/${tag}`,
      `/box/../${tag}`,
      `/proc/${tag}`,
      `/dev/${tag}`,
      `${py.roots[0]}/${tag}`,
    ];
    const { value } = await probe(writeProbe(targets));
    for (const t of targets) {
      expect(value[t], t).not.toBe('written');
      expect(existsSync(t.replace('/box/..', ''))).toBe(false);
    }
  });

  it('cannot read the project, other work dirs or /root secrets', async () => {
    const other = await scratchBase('other');
    cleanups.push(other.remove);
    const { value } = await probe(`
res = {}
for p in ['/work/main/package.json', '/root/.npmrc', '/root/.bashrc', '/etc/passwd', '/etc/shadow', ${JSON.stringify(other.base)}, ${JSON.stringify(scratch.base)}]:
  try:
    if os.path.isdir(p): os.listdir(p)
    else: open(p).read()
    res[p] = 'read'
  except OSError as e:
    res[p] = e.errno
res['/'] = sorted(os.listdir('/'))
res['/root'] = sorted(os.listdir('/root'))
res['/etc'] = sorted(os.listdir('/etc'))
print(json.dumps(res))`);
    for (const p of ['/work/main/package.json', '/root/.npmrc', '/root/.bashrc', '/etc/passwd', '/etc/shadow', other.base, scratch.base]) {
      expect(value[p], p).toBe(2); // ENOENT: not even visible
    }
    const top = (value['/'] as string[]).filter((d) => !['lib32', 'lib64', 'libx32'].includes(d));
    expect(top).toEqual(['bin', 'box', 'dev', 'etc', 'lib', 'proc', 'root', 'sbin', 'tmp', 'usr']);
    expect(value['/root']).toEqual(['.pyenv']);
    expect(value['/etc'].filter((f: string) => f !== 'localtime')).toEqual(['ld.so.cache']);
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
      const { value } = await probe(networkProbe(port));
      for (const v of Object.values(value)) expect(v).not.toMatch(/connected|resolved/);
      expect(value[`127.0.0.1:${port}`]).toMatch(/refused/i);
      expect(value['1.1.1.1:53']).toMatch(/unreachable/i);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(connections).toBe(0);
  });

  it('has a private, writable /tmp that vanishes with the run', async () => {
    const name = `arena-probe-${process.pid}-${Date.now()}`;
    const { value } = await probe(`
before = os.listdir('/tmp')
with open('/tmp/${name}', 'w') as f: f.write('hello')
print(json.dumps({'before': before, 'read': open('/tmp/${name}').read(), 'shm': os.access('/dev/shm', os.W_OK)}))`);
    expect(value).toEqual({ before: [], read: 'hello', shm: true });
    expect(existsSync(`${tmpdir()}/${name}`)).toBe(false);
    expect(existsSync(`/tmp/${name}`)).toBe(false);
    const again = await probe(`print(json.dumps(os.listdir('/tmp')))`);
    expect(again.value).toEqual([]);
  });

  it('writes in its own dir land on the host work dir, owned by the sandbox uid', async () => {
    const { value, solver } = await probe(`
with open('out.txt', 'w') as f: f.write('result')
print(json.dumps(os.getuid()))`);
    const st = statSync(`${solver.dir}/out.txt`);
    expect(st.uid).toBe(value);
    expect(readdirSync(solver.dir).sort()).toEqual(['CARP_solver.py', 'data.dat', 'out.txt']);
  });

  it('inherits no host descriptor beyond stdin/stdout/stderr', async () => {
    const { value } = await probe(`
fds = {}
for fd in os.listdir('/proc/self/fd'):
  try: fds[fd] = os.readlink('/proc/self/fd/' + fd)
  except OSError: pass
print(json.dumps(fds))`);
    expect(value['0']).toBe('/dev/null');
    for (const [fd, target] of Object.entries(value as Record<string, string>)) {
      if (Number(fd) >= 3) expect(target, `fd ${fd}`).toMatch(/^(\/dev\/null|\/proc\/\d+\/fd)$/);
    }
  });

  it('cannot create namespaces, mount, or see host processes', async () => {
    const { value } = await probe(`
import ctypes, subprocess
libc = ctypes.CDLL(None, use_errno=True)
res = {}
for name, flag in [('user', 0x10000000), ('net', 0x40000000), ('mnt', 0x00020000)]:
  r = libc.unshare(flag); res['unshare-' + name] = ctypes.get_errno() if r != 0 else 'ok'
r = libc.mount(b'none', b'/tmp', b'tmpfs', 0, None); res['mount'] = ctypes.get_errno() if r != 0 else 'ok'
p = subprocess.run(['unshare', '-Ur', 'true'], capture_output=True)
res['unshare-cmd'] = p.returncode
res['ps'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
print(json.dumps(res))`);
    expect(value['unshare-user']).toBe(1); // EPERM (seccomp)
    expect(value['unshare-net']).toBe(1);
    expect(value['unshare-mnt']).toBe(1);
    expect(value.mount).toBe(1);
    expect(value['unshare-cmd']).not.toBe(0);
    expect(value.ps.every((p: number) => p < 20)).toBe(true);
  });
});

describe('bwrap runner: cancellation and API', () => {
  it('an AbortSignal kills the tree and rejects; nothing is left', async () => {
    const ac = new AbortController();
    const started = performance.now();
    setTimeout(() => ac.abort(new Error('cancelled by test')), 300);
    const p = run(LOOPING_SOLVER, { timeSec: 10 }, { signal: ac.signal });
    await expect(p).rejects.toThrow('cancelled by test');
    expect(performance.now() - started).toBeLessThan(3000);
    await sleep(0);
    expect(leftovers({ uidRange: UID_RANGE })).toEqual([]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(run('print(1)', {}, { signal: ac.signal })).rejects.toBeDefined();
  });

  it('concurrent runs get distinct uids', async () => {
    const results = await Promise.all([1, 2, 3].map(() => probe('print(json.dumps(os.getuid()))')));
    expect(new Set(results.map((r) => r.value)).size).toBe(3);
  });

  it('a missing bwrap is reported clearly', () => {
    const check = checkBwrap({ bwrapPath: '/nonexistent/bwrap' });
    expect(check.ok).toBe(false);
    expect(check.message).toMatch(/not installed/);
    expect(() => createRunner('bwrap', { bwrap: { bwrapPath: '/nonexistent/bwrap' } })).toThrow(/bwrap runner unavailable/);
  });

  it('the seccomp program is well formed (x86_64) and absent elsewhere', () => {
    const prog = seccompFilter('x64')!;
    expect(prog.length % 8).toBe(0);
    expect(prog.length / 8).toBeLessThan(256);
    const view = new DataView(prog.buffer, prog.byteOffset);
    expect(view.getUint16(0, true)).toBe(0x20); // ld arch
    expect(view.getUint32(4, true)).toBe(4);
    const last = prog.length - 8;
    expect(view.getUint16(last, true)).toBe(0x06); // ret
    expect(seccompFilter('arm64')).toBeNull();
  });

  it('createRunner("bwrap") works and argv paths point into /box', () => {
    const r = createRunner('bwrap');
    expect(r.kind).toBe('bwrap');
    expect(r.pathInside('/tmp/x', 'data.dat')).toBe('/box/data.dat');
  });

  it('bwrapArgs builds the expected sandbox', () => {
    const args = bwrapArgs(
      {
        workDir: '/tmp/w',
        argv: ['python3', 'CARP_solver.py', '/box/data.dat'],
        limits: { timeSec: 10, memoryMb: 512, cpus: 2, pids: 32, fileSizeMb: 8 },
      },
      {},
      { uid: 1234, gid: 1234, python: { executable: '/opt/py/bin/python3.11', roots: ['/opt/py'], binDir: '/opt/py/bin' } },
    );
    const s = args.join(' ');
    for (const part of [
      '--unshare-pid',
      '--unshare-net',
      '--unshare-ipc',
      '--die-with-parent',
      '--new-session',
      '--ro-bind /usr /usr',
      '--perms 0755 --dir /opt --ro-bind /opt/py /opt/py',
      '--bind /tmp/w /box',
      `--perms 1777 --size ${256 * 1024 * 1024} --tmpfs /tmp`, // half the memory limit
      '--remount-ro /',
      '--chdir /box',
      '--clearenv',
      '--setenv PATH /opt/py/bin:/usr/local/bin:/usr/bin:/bin',
      `--as=${(512 + 256) * 1024 * 1024}`,
      '--cpu=21',
      '--nproc=32',
      `--fsize=${8 * 1024 * 1024}`,
      '--reuid=1234 --regid=1234 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- python3 CARP_solver.py /box/data.dat',
    ]) {
      expect(s).toContain(part);
    }
    expect(args).not.toContain('--unshare-user');
    expect(args).not.toContain('/work');
    expect(args.slice(-3)).toEqual(['python3', 'CARP_solver.py', '/box/data.dat']);
  });
});
