import { createApp } from '../app.js';
import { memoryBus } from '../bus/memory.js';
import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import type { Logger } from '../observe/logger.js';
import { noMetrics } from '../observe/metrics.js';
import { UNKNOWN_ADDRESS } from '../observe/request-context.js';
import { CloseCode } from '../rooms/close-codes.js';
import { roomHost } from '../rooms/host.js';
import { roomKinds } from '../rooms/kinds.js';
import { localSlots } from '../rooms/slots.js';
import { createServices } from '../services/index.js';
import { announceStart, startHousekeeping } from '../services/startup.js';
import { fsBlobStore } from './blob-fs.js';
import { loadMigrations, openDatabase } from './db.js';
import { denoDocAssets } from './doc-assets.js';
import { Deno } from './runtime.js';
import { testDataFromDir } from './testdata-dir.js';
import { denoSockets, denoWsQuirks } from './ws-quirks.js';

export interface DenoGateway {
  url: string;
  close(): Promise<void>;
}

/** What `Deno.serve` hands the handler beside the request, passed on to Hono as the env. */
interface ServeEnv {
  remoteAddr: { hostname?: string };
}

/**
 * The same app as the Node host serves, on Deno.serve: the database opened and migrated, ROOT
 * bootstrapped, room actors in-process (no Redis), the lease sweep and the session purge.
 */
export async function startDenoGateway(config: Config, log: Logger): Promise<DenoGateway> {
  const db = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, log.child({ part: 'db' }));
  const applied = await migrate(db, loadMigrations());
  if (applied.length > 0) log.info({ applied }, `migrations applied: ${applied.join(', ')}`);
  const bus = memoryBus(log.child({ part: 'bus' }));
  const deps = { db, blobs: fsBlobStore(config.BLOB_DIR), bus, config, now: Date.now, log, metrics: noMetrics };
  const services = createServices(deps, config.TESTDATA_DIR ? { testData: testDataFromDir(config.TESTDATA_DIR) } : {});

  await announceStart(services, config, log);

  const sockets = denoSockets();
  const rooms = roomHost({ services, kinds: roomKinds(services), slots: localSlots(), quirks: denoWsQuirks });
  const app = createApp(services, {
    clientIp: (c) => (c.env as ServeEnv | undefined)?.remoteAddr.hostname ?? UNKNOWN_ADDRESS,
    upgradeWebSocket: sockets.upgradeWebSocket,
    rooms,
    assets: denoDocAssets(),
  });

  const server = Deno.serve({ hostname: config.HOST, port: config.PORT, onListen: () => undefined }, (req, info) => app.fetch(req, info));
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${server.addr.port}`;

  // Deno's timers are numbers; unref'd, as on Node, they do not hold the process up by themselves.
  const stopHousekeeping = startHousekeeping(services, log, (t) => Deno.unrefTimer(t as unknown as number));

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      stopHousekeeping();
      closing ??= rooms
        .closeAll()
        .then(() => {
          sockets.closeAll(CloseCode.GOING_AWAY, 'server shutting down');
          return server.shutdown();
        })
        .then(async () => {
          await bus.close();
          db.close();
        });
      return closing;
    },
  };
}
