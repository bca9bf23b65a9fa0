import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V1 = '/sys/fs/cgroup';

const own = new Map<string, string | null>();

/** This process' own cgroup in a v1 hierarchy (`memory`, `pids`), read once from /proc/self/cgroup; null without one. */
function ownGroup(controller: string): string | null {
  if (!own.has(controller)) own.set(controller, readOwnGroup(controller));
  return own.get(controller) ?? null;
}

function readOwnGroup(controller: string): string | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes(controller) && path !== undefined && existsSync(join(V1, controller))) return join(V1, controller, path);
  }
  return null;
}

/**
 * One run's cgroups (v1 `memory` and `pids`, below this process' own): the memory and task
 * limits of the whole sandboxed tree, which RLIMIT_AS (per process) and RLIMIT_NPROC (per uid)
 * are not. The run's leader joins them before it execs the sandbox (`procsFiles`), so every
 * process of the run is counted from its first fork.
 */
export interface RunCgroup {
  procsFiles: string[];
  /** Whether the kernel's OOM killer killed a process of the run. */
  oomKilled(): boolean;
  remove(): Promise<void>;
}

/** The run's cgroups, or null where the hierarchies are missing or not writable (the runner keeps its rlimits). */
export function createRunCgroup(name: string, limits: { memoryBytes: number; pids: number }): RunCgroup | null {
  const memoryRoot = ownGroup('memory');
  const pidsRoot = ownGroup('pids');
  if (!memoryRoot || !pidsRoot) return null;
  const memory = join(memoryRoot, name);
  const pids = join(pidsRoot, name);
  const made: string[] = [];
  try {
    for (const dir of [memory, pids]) {
      mkdirSync(dir);
      made.push(dir);
    }
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // Swap would let the tree hold more than its limit.
    if (existsSync(join(memory, 'memory.memsw.limit_in_bytes')))
      writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    writeFileSync(join(pids, 'pids.max'), String(limits.pids));
  } catch {
    for (const dir of made.reverse()) rmdirSync(dir);
    return null;
  }
  return {
    procsFiles: [join(memory, 'cgroup.procs'), join(pids, 'cgroup.procs')],
    oomKilled() {
      const control = readFileSync(join(memory, 'memory.oom_control'), 'utf8');
      return Number(/oom_kill (\d+)/.exec(control)?.[1] ?? 0) > 0;
    },
    async remove() {
      // The sandbox is gone once its leader exited (its pid namespace with it); a process still
      // being reaped keeps a cgroup busy for a moment.
      for (const dir of [memory, pids]) {
        for (let attempt = 0; existsSync(dir); attempt++) {
          try {
            rmdirSync(dir);
          } catch (err) {
            if (attempt >= 40) throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    },
  };
}
