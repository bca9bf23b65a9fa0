import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/node/free-port.js';

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILL: gone at once, without a word to its clients. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that hangs (connections kept, nothing answered), then goes on. */
  pause(): void;
  resume(): void;
}

/** A loopback port free right now. */
export { freePort };

/** A real redis-server from PATH on a free port, no persistence; stopped by `stop()`. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const p = port ?? (await freePort());
  const proc: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('error', (err) => reject(new Error(`redis-server not found on PATH: ${err.message}`)));
  });
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    pause: () => proc.kill('SIGSTOP'),
    resume: () => proc.kill('SIGCONT'),
  };
}
