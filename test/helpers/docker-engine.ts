import { execFile, spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mountsUnder } from '../../judge/bounded-dir.js';

const run = promisify(execFile);

/** A Debian rootfs with python3, as debootstrap builds it (once: the tarball is kept across local runs). */
const SUITE = 'bookworm';
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/arena-docker/', import.meta.url));
const ROOTFS_TAR = join(CACHE, `${SUITE}-minbase-python3.tar`);
const IMAGE = 'arena-judge-python:test';

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function whyNoEngine(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root';
  const missing = ['dockerd', 'docker', 'debootstrap'].filter((tool) => !onPath(tool));
  return missing.length > 0 ? `${missing.join(', ')} not on PATH` : null;
}

/** Why no private docker engine can run here (its tests then skip), or null. */
export const dockerEngineMissing = whyNoEngine();
if (dockerEngineMissing)
  console.warn(`docker engine tests skipped: ${dockerEngineMissing} (they need root and: apt-get install docker.io debootstrap)`);

export interface DockerEngine {
  /** For `docker -H` / `DockerOptions.host`. */
  host: string;
  /** A local image with python3 (nothing is pulled: no registry is needed). */
  image: string;
  /** The daemon's `--data-root` (containers' logs live under `containers/`). */
  dataRoot: string;
  /** `docker -H host ...args`: its stdout. */
  docker(...args: string[]): Promise<string>;
  /** Stops the daemon (and its containerd) and removes everything it kept. */
  stop(): Promise<void>;
}

/** The cached rootfs tarball; built with debootstrap (about a minute) when missing. */
async function rootfsTarball(work: string): Promise<string> {
  if (
    await access(ROOTFS_TAR).then(
      () => true,
      () => false,
    )
  )
    return ROOTFS_TAR;
  const rootfs = join(work, 'rootfs');
  await run('debootstrap', ['--variant=minbase', '--include=python3', SUITE, rootfs], { maxBuffer: 16 * 1024 * 1024 });
  // The image only runs python3: package caches, lists and docs would double the tarball.
  for (const dir of ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale', 'usr/share/info']) {
    await rm(join(rootfs, dir), { recursive: true, force: true });
  }
  await mkdir(CACHE, { recursive: true });
  // Written under a name of its own and renamed into place: a concurrent or interrupted build never leaves half a tarball.
  const partial = `${ROOTFS_TAR}.${process.pid}.partial`;
  await run('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.']);
  await rename(partial, ROOTFS_TAR);
  await rm(rootfs, { recursive: true, force: true });
  return ROOTFS_TAR;
}

/**
 * A private dockerd (its own socket, exec root, pidfile, data root and an empty config, in a fresh
 * temp dir; no bridge, no iptables: containers run with `--network none`) with {@link IMAGE}
 * imported; resolves once `docker info` answers and the image is there.
 */
export async function startDockerEngine(): Promise<DockerEngine> {
  // Short: the daemon's and containerd's unix sockets live under it (108-byte path limit).
  const dir = await mkdtemp('/tmp/ade-');
  const dataRoot = join(dir, 'data');
  const host = `unix://${join(dir, 'docker.sock')}`;
  await writeFile(join(dir, 'daemon.json'), '{}');
  const logFile = join(dir, 'dockerd.log');
  const log = openSync(logFile, 'a');
  const daemon = spawn(
    'dockerd',
    [
      `--config-file=${join(dir, 'daemon.json')}`, // not the host's /etc/docker/daemon.json
      `--host=${host}`,
      `--data-root=${dataRoot}`,
      `--exec-root=${join(dir, 'x')}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      '--bridge=none',
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--shutdown-timeout=2',
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log); // the daemon has its own copy
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  const docker = async (...args: string[]) => (await run('docker', ['-H', host, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;

  const stop = async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGTERM');
      const timer = setTimeout(() => {
        // Not down in time: containerd (its child, own pidfile) would outlive a killed dockerd.
        void readFile(join(dir, 'x/containerd/containerd.pid'), 'utf8')
          .then((pid) => process.kill(Number(pid), 'SIGKILL'))
          .catch(() => undefined);
        daemon.kill('SIGKILL');
      }, 20_000);
      await exited;
      clearTimeout(timer);
    }
    // What a daemon that did not finish its shutdown left mounted (overlays, its data root bind, netns).
    for (const point of await mountsUnder(dir)) await run('umount', ['--lazy', point]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const until = Date.now() + 60_000;
    for (;;) {
      if (daemon.exitCode !== null || daemon.signalCode !== null) throw new Error('dockerd exited');
      const answers = await docker('info', '--format', '{{.ServerVersion}}')
        .then(() => true)
        .catch(() => false);
      if (answers) break;
      if (Date.now() > until) throw new Error('dockerd did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await docker('import', await rootfsTarball(dir), IMAGE);
  } catch (err) {
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`private docker engine: ${(err as Error).message}\n${tail}`);
  }
  return { host, image: IMAGE, dataRoot, docker, stop };
}
