// The few Deno APIs the Deno host uses, typed here (the project's tsc runs with Node's types, not
// Deno's): read from globalThis, so nothing outside src/deno sees a `Deno` global.

interface DirEntry {
  name: string;
  isFile: boolean;
}

interface ServeInfo {
  remoteAddr: { transport: string; hostname?: string; port?: number };
}

interface DenoServer {
  finished: Promise<void>;
  addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
}

interface DenoRuntime {
  env: { toObject(): Record<string, string> };
  exit(code: number): never;
  cwd(): string;
  serve(
    options: { hostname: string; port: number; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request, info: ServeInfo) => Response | Promise<Response>,
  ): DenoServer;
  upgradeWebSocket(request: Request, options?: { protocol?: string; idleTimeout?: number }): { response: Response; socket: WebSocket };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  unrefTimer(id: number): void;
  readDirSync(path: string | URL): Iterable<DirEntry>;
  readDir(path: string | URL): AsyncIterable<DirEntry>;
  readTextFileSync(path: string | URL): string;
  readTextFile(path: string | URL): Promise<string>;
  readFile(path: string | URL): Promise<Uint8Array<ArrayBuffer>>;
  writeFile(path: string | URL, data: Uint8Array): Promise<void>;
  rename(from: string | URL, to: string | URL): Promise<void>;
  remove(path: string | URL, options?: { recursive?: boolean }): Promise<void>;
  mkdirSync(path: string | URL, options?: { recursive?: boolean }): void;
  mkdir(path: string | URL, options?: { recursive?: boolean }): Promise<void>;
  errors: { NotFound: new (...args: never[]) => Error };
}

const runtime = (globalThis as { Deno?: DenoRuntime }).Deno;
if (!runtime) throw new Error('src/deno runs under Deno only (npm run start:deno)');

export const Deno: DenoRuntime = runtime;
