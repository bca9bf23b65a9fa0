import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { serve, upgradeWebSocket } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from '../app.js';
import { memoryBus } from '../bus/memory.js';
import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import { createServices, type Services } from '../services/index.js';
import { type RoomHost, roomHost } from '../rooms/host.js';
import { roomKinds } from '../rooms/kinds.js';
import { localSlots } from '../rooms/slots.js';
import { fsBlobStore } from './blob-fs.js';
import { redisBus } from './redis-bus.js';
import { redisSlots } from './redis-slots.js';
import { wsQuirks } from './ws-quirks.js';
import { loadMigrations, openDatabase } from './db.js';
import { testDataFromDir } from './testdata-dir.js';

export interface Gateway {
  url: string;
  services: Services;
  rooms: RoomHost;
  close(): Promise<void>;
}

export type Log = (line: string) => void;

/** Opens the database, migrates, bootstraps ROOT, and serves the app on HOST:PORT. */
export async function startGateway(config: Config, log: Log = console.log): Promise<Gateway> {
  const db = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  const applied = await migrate(db, loadMigrations());
  if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
  const bus = config.REDIS_URL ? redisBus(config.REDIS_URL, log) : memoryBus();
  const deps = { db, blobs: fsBlobStore(config.BLOB_DIR), bus, config, now: Date.now };
  const services = createServices(deps, config.TESTDATA_DIR ? { testData: testDataFromDir(config.TESTDATA_DIR) } : {});

  const rootPassword = config.ROOT_PASSWORD ?? randomBytes(12).toString('base64url');
  const { created } = await services.users.ensureRoot(config.ROOT_USERNAME, rootPassword);
  if (created && !config.ROOT_PASSWORD) log(`created ROOT user '${config.ROOT_USERNAME}' with password: ${rootPassword}`);
  else if (created) log(`created ROOT user '${config.ROOT_USERNAME}'`);

  // Room actors in-process; with REDIS_URL their frames cross nodes on the bus and their limits
  // are counted in Redis.
  const roomLog = (line: string) => log(`[rooms] ${line}`);
  const slots = config.REDIS_URL ? redisSlots(config.REDIS_URL, { log: roomLog }) : localSlots();
  const rooms = roomHost({ services, kinds: roomKinds(services), slots, quirks: wsQuirks, log: roomLog });
  if (config.ROOMS_TRUST_USER_ID === '1') {
    log(
      'WARNING: ROOMS_TRUST_USER_ID=1: room sockets trust the user_id parameter (legacy mode): anyone may join any lobby or training room as anyone',
    );
  }

  const app = createApp(services, { clientIp: (c) => getConnInfo(c).remote.address ?? 'unknown', upgradeWebSocket, rooms });
  // Sockets share the HTTP port: @hono/node-server hands upgrades to this ws server (frames <= 1 MiB).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT, websocket: { server: wss } }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  // Leases that ran out go back to the queue even when no worker is asking for work.
  const sweeper = setInterval(() => {
    services.judge.queue.expireLeases().catch((err) => log(`lease sweep failed: ${(err as Error).message}`));
  }, 1000);
  sweeper.unref();
  const purge = setInterval(() => {
    services.sessions.purgeExpired().catch((err) => log(`session purge failed: ${(err as Error).message}`));
  }, 10 * 60_000);
  purge.unref();

  let closing: Promise<void> | null = null;
  return {
    url,
    services,
    rooms,
    close() {
      // Stop accepting, let in-flight requests finish, then close the database.
      clearInterval(sweeper);
      clearInterval(purge);
      // Room sockets announce their leave, free their slots and (old judge workers) hand their
      // cases back while the database is still open.
      closing ??= rooms
        .closeAll()
        .then(
          () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeIdleConnections();
              for (const ws of wss.clients) ws.close(1001, 'server shutting down');
            }),
        )
        .then(async () => {
          await deps.bus.close();
          db.close();
        });
      return closing;
    },
  };
}
