import { expect } from 'vitest';
import { DEFAULT_OUTPUT_CAP, type RunResult } from '../../../judge/runners/types.js';

/**
 * Solver programs (python) both sandbox suites run, so that bwrap and docker are held to the same
 * behaviour. The `*_PROBE` ones are bodies for the suites' `probe()`, which prefixes
 * `import json, os, sys` and parses the last line printed (JSON).
 */

/** Prints a partial answer and a message, exits 1. */
export const FAILING_SOLVER = 'import sys\nprint("partial")\nsys.stderr.write("boom\\n")\nsys.exit(1)\n';

/** Kills itself with SIGKILL. */
export const SELF_KILLING_SOLVER = 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n';

/** Two processes spinning forever. */
export const LOOPING_SOLVER = 'import os\nos.fork()\nwhile True: pass\n';

/** 10 MiB of stdout lines, then `THE END`. */
export const STDOUT_FLOOD = 'import sys\nline = "x" * 1023 + "\\n"\nfor i in range(10240): sys.stdout.write(line)\nsys.stdout.write("THE END\\n")\n';

/** 800 kB of numbered stderr lines (the last `e0099999`), then `out` on stdout. */
export const STDERR_FLOOD = 'import sys\nfor i in range(100000): sys.stderr.write("e%07d\\n" % i)\nprint("out")\n';

/** What every runner keeps of STDOUT_FLOOD: its last DEFAULT_OUTPUT_CAP bytes, flagged. */
export function expectStdoutFloodTail(result: RunResult): void {
  expect(result).toMatchObject({ timedout: false, exitcode: 0, outOverflow: true, errOverflow: false, stderr: '' });
  expect(result.stdout.length).toBe(DEFAULT_OUTPUT_CAP);
  expect(result.stdout.endsWith('x\nTHE END\n')).toBe(true);
}

/** What every runner keeps of STDERR_FLOOD run with a cap of 1000 bytes. */
export function expectStderrFloodTail(result: RunResult): void {
  expect(result).toMatchObject({ exitcode: 0, outOverflow: false, errOverflow: true, stdout: 'out\n' });
  expect(result.stderr.length).toBe(1000);
  expect(result.stderr.endsWith('e0099999\n')).toBe(true);
}

/** Forks for ever, ignoring refusals. */
export const FORK_BOMB = 'import os\nwhile True:\n  try:\n    os.fork()\n  except OSError:\n    pass\n';

/** Allocates 16 MiB after 16 MiB for ever. */
export const MEMORY_HOG = 'chunks = []\nwhile True: chunks.append(bytearray(16 * 1024 * 1024))\n';

/** Six forked children of 60 MiB each, alive together for 2 s; each prints `alive` once it holds its memory. */
export const MEMORY_TREE = `
import os, sys, time
kids = []
for i in range(6):
    pid = os.fork()
    if pid == 0:
        b = bytearray(60 * 1024 * 1024)
        for j in range(0, len(b), 4096): b[j] = 1
        print('alive', flush=True)
        time.sleep(2)
        os._exit(0)
    kids.append(pid)
for k in kids: os.waitpid(k, 0)
`;

/** Who and where the solver is: ids, capabilities, seccomp, cwd, hostname, rlimits, environment, visible pids. */
export const IDENTITY_PROBE = `
import resource, socket
st = dict(l.split(':\\t', 1) for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)
print(json.dumps({
  'uid': os.getuid(), 'euid': os.geteuid(), 'gid': os.getgid(), 'groups': os.getgroups(),
  'capeff': st['CapEff'].strip(), 'capbnd': st['CapBnd'].strip(), 'nnp': st.get('NoNewPrivs', '').strip(),
  'seccomp': st.get('Seccomp', '').strip(),
  'cwd': os.getcwd(), 'pid': os.getpid(), 'host': socket.gethostname(),
  'nproc': resource.getrlimit(resource.RLIMIT_NPROC), 'as': resource.getrlimit(resource.RLIMIT_AS),
  'cpu': resource.getrlimit(resource.RLIMIT_CPU), 'fsize': resource.getrlimit(resource.RLIMIT_FSIZE),
  'nofile': resource.getrlimit(resource.RLIMIT_NOFILE), 'env': dict(os.environ),
  'procs': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
}))`;

/** Forks sleeping children until refused: `{forked, errno}`. */
export const FORK_UNTIL_REFUSED_PROBE = `
import time
n = 0
try:
  for i in range(1000):
    if os.fork() == 0:
      time.sleep(60); os._exit(0)
    n += 1
except OSError as e:
  err = e.errno
print(json.dumps({'forked': n, 'errno': err}))`;

/** Writes 3 MiB to /box/big and 2 MiB to /tmp/a (SIGXFSZ ignored): `{box, tmp}`, each 'ok' or the errno. */
export const FILE_SIZE_PROBE = `
import signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
def fill(path, mb):
  try:
    with open(path, 'wb') as f:
      for i in range(mb): f.write(b'\\0' * 1024 * 1024)
    return 'ok'
  except OSError as e:
    return e.errno
print(json.dumps({'box': fill('/box/big', 3), 'tmp': fill('/tmp/a', 2) }))`;

/** Writes up to 100 files of 1 MiB into /tmp: 'ok' or the errno. */
export const TMP_FILL_PROBE = `
try:
  for i in range(100):
    with open('/tmp/f%d' % i, 'wb') as f: f.write(b'\\0' * 1024 * 1024)
  r = 'ok'
except OSError as e:
  r = e.errno
print(json.dumps(r))`;

/** Tries to create each of `paths`: `{path: 'written' | errno}`. */
export const writeProbe = (paths: string[]) => `
res = {}
for p in ${JSON.stringify(paths)}:
  try:
    with open(p, 'w') as f: f.write('x')
    res[p] = 'written'
  except OSError as e:
    res[p] = e.errno
print(json.dumps(res))`;

/** TCP to the host's 127.0.0.1:`port` and to 1.1.1.1 (53, 443), and a DNS lookup: `{target: outcome}`. */
export const networkProbe = (port: number) => `
import socket
res = {}
for host, port in [('127.0.0.1', ${port}), ('1.1.1.1', 53), ('1.1.1.1', 443)]:
  s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  s.settimeout(1)
  try:
    s.connect((host, port)); res['%s:%d' % (host, port)] = 'connected'
  except OSError as e:
    res['%s:%d' % (host, port)] = str(e)
  finally:
    s.close()
try:
  socket.getaddrinfo('example.com', 80); res['dns'] = 'resolved'
except OSError as e:
  res['dns'] = str(e)
print(json.dumps(res))`;
