import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/node/free-port.js';
import { runSqld } from '../../src/node/sqld.js';

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
    const p = await runSqld(join(dir, 'data.sqld'), port);
    proc = p;
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
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
