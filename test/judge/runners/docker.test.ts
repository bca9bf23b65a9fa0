import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRunner, dockerArgs } from '../../../judge/runners/docker.js';
import { createRunner } from '../../../judge/runners/index.js';
import { carpArgv, type RunSpec } from '../../../judge/runners/types.js';
import { GOOD_SOLVER, runSolver, scratchBase } from './support.js';

const spec = (over: Partial<RunSpec> = {}, limits: Partial<RunSpec['limits']> = {}): RunSpec => ({
  workDir: '/tmp/arena-solver-abc',
  argv: ['python3', 'CARP_solver.py', '/box/data.dat', '-t', '10', '-s', '42'],
  limits: { timeSec: 10, memoryMb: 512, cpus: 1, ...limits },
  ...over,
});
const opts = (over: Partial<Parameters<typeof dockerArgs>[1]> = {}) => ({ image: 'arena/python:3.11', name: 'arena-run-1', ...over });

/** The value following `flag` (asserting the flag occurs once). */
function flagValue(args: string[], flag: string): string | undefined {
  const idx = args.flatMap((a, i) => (a === flag ? [i] : []));
  expect(idx.length, flag).toBeLessThanOrEqual(1);
  return idx.length ? args[idx[0]! + 1] : undefined;
}

describe('dockerArgs', () => {
  it('builds the original judge container: limits, no network, read-only, tmpfs /tmp, user, work dir at /box', () => {
    const args = dockerArgs(spec(), opts());
    expect(args[0]).toBe('create');
    expect(args).not.toContain('--rm'); // removed by the runner, once it has read the container's state
    expect(flagValue(args, '--name')).toBe('arena-run-1');
    expect(args).toContain('--init');
    expect(flagValue(args, '--log-driver')).toBe('none');
    expect(flagValue(args, '--network')).toBe('none');
    expect(flagValue(args, '--memory')).toBe('512m');
    expect(flagValue(args, '--memory-swap')).toBe('768m');
    expect(flagValue(args, '--cpus')).toBe('1');
    expect(flagValue(args, '--pids-limit')).toBe('65'); // the solver's 64 and docker-init
    expect(args).toContain('--read-only');
    expect(flagValue(args, '--tmpfs')).toBe('/tmp:rw,size=256m'); // half the memory, as bwrap
    expect(flagValue(args, '--user')).toBe('65534:65534');
    expect(flagValue(args, '-v')).toBe('/tmp/arena-solver-abc:/box:rw');
    expect(flagValue(args, '-w')).toBe('/box');
    expect(flagValue(args, '--cap-drop')).toBe('ALL');
    expect(flagValue(args, '--security-opt')).toBe('no-new-privileges');
    expect(flagValue(args, '--ulimit')).toBe(`fsize=${64 * 1024 * 1024}:${64 * 1024 * 1024}`);
    // The image, then the solver argv, untouched, at the very end.
    const img = args.indexOf('arena/python:3.11');
    expect(args.slice(img)).toEqual(['arena/python:3.11', 'python3', 'CARP_solver.py', '/box/data.dat', '-t', '10', '-s', '42']);
    expect(args.slice(0, img).every((a) => !a.includes('CARP_solver'))).toBe(true);
  });

  it('follows the limits: memory, swap factor, fractional cpus, pids, file size', () => {
    const args = dockerArgs(spec({}, { memoryMb: 1000, cpus: 0.5, pids: 16, fileSizeMb: 2 }), opts({ memorySwapFactor: 2 }));
    expect(flagValue(args, '--memory')).toBe('1000m');
    expect(flagValue(args, '--memory-swap')).toBe('2000m');
    expect(flagValue(args, '--cpus')).toBe('0.5');
    expect(flagValue(args, '--pids-limit')).toBe('17');
    expect(flagValue(args, '--ulimit')).toBe(`fsize=${2 * 1024 * 1024}:${2 * 1024 * 1024}`);
    expect(flagValue(dockerArgs(spec({}, { memoryMb: 300, cpus: 2.25 }), opts()), '--memory-swap')).toBe('450m');
    expect(flagValue(dockerArgs(spec({}, { cpus: 1 / 3 }), opts()), '--cpus')).toBe('0.333');
    expect(flagValue(dockerArgs(spec({}, { cpus: 4 }), opts()), '--cpus')).toBe('4');
    // docker refuses more than the host has
    expect(flagValue(dockerArgs(spec({}, { cpus: 4 }), opts({ hostCpus: 2 })), '--cpus')).toBe('2');
    expect(flagValue(dockerArgs(spec({}, { cpus: 1.5 }), opts({ hostCpus: 2 })), '--cpus')).toBe('1.5');
  });

  it('honours user, tmpfs size, hardening switch and extra args (before the image)', () => {
    const args = dockerArgs(spec(), opts({ user: '1000:1000', tmpfsSize: '64m', harden: false, extraArgs: ['--label', 'arena.case=1'] }));
    expect(flagValue(args, '--user')).toBe('1000:1000');
    expect(flagValue(args, '--tmpfs')).toBe('/tmp:rw,size=64m');
    expect(args).not.toContain('--cap-drop');
    expect(args.indexOf('arena.case=1')).toBe(args.indexOf('arena/python:3.11') - 1);
  });

  it('refuses what would change the command line meaning', () => {
    expect(() => dockerArgs(spec(), opts({ image: '--privileged' }))).toThrow(/image/);
    expect(() => dockerArgs(spec(), opts({ image: '' }))).toThrow(/image/);
    expect(() => dockerArgs(spec(), opts({ name: '-x' }))).toThrow(/name/);
    expect(() => dockerArgs(spec({ workDir: 'relative/dir' }), opts())).toThrow(/absolute/);
    expect(() => dockerArgs(spec({ workDir: '/tmp/a:/etc' }), opts())).toThrow(/bind-mounted/);
    expect(() => dockerArgs(spec({ workDir: '/tmp/a,b' }), opts())).toThrow(/bind-mounted/);
    expect(() => dockerArgs(spec({ argv: [] }), opts())).toThrow(/argv/);
    expect(() => dockerArgs(spec(), opts({ user: '0:0 --privileged' }))).toThrow(/user/);
    expect(() => dockerArgs(spec({}, { memoryMb: 0 }), opts())).toThrow(/memoryMb/);
    expect(() => dockerArgs(spec({}, { cpus: -1 }), opts())).toThrow(/cpus/);
    expect(() => dockerArgs(spec({}, { cpus: Number.NaN }), opts())).toThrow(/cpus/);
    expect(() => dockerArgs(spec(), opts({ memorySwapFactor: 0.5 }))).toThrow(/memorySwapFactor/);
  });

  it('the runner maps argv paths into /box', () => {
    const r = createRunner('docker', { docker: { image: 'x' } });
    expect(r.kind).toBe('docker');
    expect(carpArgv(r, '/tmp/whatever', { timeSec: 10, seed: 7 })).toEqual(['python3', 'CARP_solver.py', '/box/data.dat', '-t', '10', '-s', '7']);
    expect(() => createRunner('docker')).toThrow(/image/);
  });
});

// A stand-in `docker` CLI (a python script) recording every call: `ps` lists nothing, `create` keeps its argv, `start`
// prints and exits 3 (or hangs when the argv says `hang`), `kill` kills a hanging `start`.
describe('DockerRunner with a stand-in docker CLI', () => {
  let scratch: { base: string; remove(): Promise<void> };
  let fake: string;
  let log: string;
  beforeAll(async () => {
    scratch = await scratchBase('docker');
    fake = `${scratch.base}/docker`;
    log = `${scratch.base}/docker.log`;
    writeFileSync(
      fake,
      `#!/usr/bin/env python3
import json, os, sys, time
LOG = ${JSON.stringify(log)}
with open(LOG, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')
args = sys.argv[3:] if sys.argv[1] == '-H' else sys.argv[1:]
cmd, name = args[0], args[-1]
if cmd == 'ps':
    pass
elif cmd == 'info':
    print(8)
elif cmd == 'create':
    name = args[args.index('--name') + 1]
    open(LOG + '.' + name, 'w').write(json.dumps(args))
    print('0123abcd')
elif cmd == 'start':
    if 'hang' in json.load(open(LOG + '.' + name)):
        open(LOG + '.' + name + '.pid', 'w').write(str(os.getpid()))
        while True: time.sleep(0.05)
    print('container output'); sys.stderr.write('container err\\n'); sys.exit(3)
elif cmd == 'inspect':
    print(json.dumps({'Status': 'exited', 'Error': '', 'OOMKilled': False}))
elif cmd == 'kill':
    os.kill(int(open(LOG + '.' + name + '.pid').read()), 9)
    print(name)
elif cmd == 'rm':
    print(name)
`,
      { mode: 0o755 },
    );
  });
  afterAll(async () => {
    await scratch?.remove();
  });
  const calls = () =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);

  it('creates, starts attached, inspects and removes the container on the given daemon; output and exit code pass through', async () => {
    writeFileSync(log, '');
    const runner = new DockerRunner({ image: 'img', dockerPath: fake, host: 'unix:///run/other.sock' });
    const { result, solver } = await runSolver(runner, scratch.base, GOOD_SOLVER);
    expect(result).toMatchObject({ timedout: false, exitcode: 3, stdout: 'container output\n', stderr: 'container err\n' });
    const all = calls();
    expect(all.every((c) => c[0] === '-H' && c[1] === 'unix:///run/other.sock')).toBe(true);
    const [ps, info, create, ...rest] = all.map((c) => c.slice(2));
    // First the containers dead judges left (none here), once per runner.
    expect(ps).toEqual(['ps', '--all', '--filter', 'label=arena.judge', '--format', '{{.Names}}\t{{.Label "arena.judge"}}']);
    expect(info).toEqual(['info', '--format', '{{.NCPU}}']);
    expect(create![0]).toBe('create');
    expect(flagValue(create!, '-v')).toBe(`${solver.dir}:/box:rw`);
    const name = flagValue(create!, '--name')!;
    expect(name).toMatch(/^arena-run-[0-9a-f-]{36}$/);
    expect(rest).toEqual([
      ['start', '--attach', name],
      ['inspect', '--type', 'container', '--format', '{{json .State}}', name],
      ['rm', '--force', name],
    ]);
    if (process.getuid?.() === 0) expect(statSync(solver.dir).uid).toBe(65534);
    await solver.cleanup();
  });

  it('at the wall limit kills the same container, then removes it', async () => {
    writeFileSync(log, '');
    const runner = new DockerRunner({ image: 'img', dockerPath: fake });
    const { result, solver } = await runSolver(runner, scratch.base, GOOD_SOLVER, { timeSec: 1 }, { argv: () => ['hang'] });
    expect(result).toMatchObject({ timedout: true, exitcode: -1 });
    expect(result.time).toBeLessThan(2);
    const all = calls();
    const name = flagValue(all.find((c) => c[0] === 'create')!, '--name');
    expect(all.slice(3)).toEqual([
      ['start', '--attach', name],
      ['kill', name],
      ['rm', '--force', name],
    ]);
    await solver.cleanup();
  });
});
