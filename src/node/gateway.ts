import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp, GRAPHQL_METHODS, hostedGraphql } from '../app.js';
import { GRAPHQL_PATH } from '../../schema/yoga.js';
import { compiledExecution } from '../../schema/compiled.js';
import { memoryBus } from '../bus/memory.js';
import type { Config } from '../config.js';
import { migrate } from '../db/migrate.js';
import type { Client } from '../db/types.js';
import { createServices, type Services } from '../services/index.js';
import { announceStart, startHousekeeping } from '../services/startup.js';
import { type RoomHost, roomHost } from '../rooms/host.js';
import { roomKinds } from '../rooms/kinds.js';
import { localSlots } from '../rooms/slots.js';
import { MAX_FRAME_BYTES } from '../rooms/frame-size.js';
import { fsBlobStore } from './blob-fs.js';
import { answerClientErrors } from './client-errors.js';
import { nodeDocAssets } from './doc-assets.js';
import { redisBus } from './redis-bus.js';
import { redisSlots } from './redis-slots.js';
import { upgradeWebSocket, wsQuirks } from './ws-quirks.js';
import { loadMigrations, openDatabase } from './db.js';
import { testDataFromDir } from './testdata-dir.js';
import { nodeLogger } from './logger.js';
import { nodeMetrics } from './metrics.js';
import type { Logger } from '../observe/logger.js';
import { UNKNOWN_ADDRESS } from '../observe/request-context.js';

export interface Gateway {
  url: string;
  services: Services;
  rooms: RoomHost;
  log: Logger;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Where its records go (default: pino on stdout at LOG_LEVEL). */
  log?: Logger;
  /** Stands in for the opened client everywhere (tests count the statements requests run through it). */
  wrapDatabase?: (db: Client) => Client;
}

/** Opens the database, migrates, bootstraps ROOT, and serves the app on HOST:PORT. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? nodeLogger(config.LOG_LEVEL, 'gateway');
  const opened = await openDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, log.child({ part: 'db' }));
  const db = options.wrapDatabase?.(opened) ?? opened;
  const applied = await migrate(db, loadMigrations());
  if (applied.length > 0) log.info({ applied }, `migrations applied: ${applied.join(', ')}`);
  const bus = config.REDIS_URL ? redisBus(config.REDIS_URL, log.child({ part: 'bus' })) : memoryBus(log.child({ part: 'bus' }));
  const metrics = nodeMetrics();
  const deps = { db, blobs: fsBlobStore(config.BLOB_DIR), bus, config, now: Date.now, log, metrics };
  const services = createServices(deps, config.TESTDATA_DIR ? { testData: testDataFromDir(config.TESTDATA_DIR) } : {});

  await announceStart(services, config, log);

  // Room actors in-process; with REDIS_URL their frames cross nodes on the bus and their limits
  // are counted in Redis.
  const slots = config.REDIS_URL ? redisSlots(config.REDIS_URL, { log: log.child({ part: 'rooms' }) }) : localSlots();
  const kinds = roomKinds(services);
  const rooms = roomHost({ services, kinds, slots, quirks: wsQuirks });
  metrics.watch({
    caseCounts: () => services.judge.queue.statusCounts(),
    roomKinds: kinds.map((k) => k.name),
    roomSockets: (kind) => rooms.stats(kind).sockets,
    busConnected: () => bus.connected?.() ?? true,
  });

  const app = createApp(services, {
    clientIp: (c) => getConnInfo(c).remote.address ?? UNKNOWN_ADDRESS,
    upgradeWebSocket,
    rooms,
    scrape: metrics.scrape,
    assets: nodeDocAssets(),
    graphqlOnHost: true,
  });
  // GraphQL straight from node:http through yoga's Node adapter, compiled; the rest through Hono's.
  const graphql = hostedGraphql<{ req: IncomingMessage }>(services, ({ req }) => req.socket.remoteAddress ?? UNKNOWN_ADDRESS, compiledExecution(log));
  const isGraphql = (req: IncomingMessage) => {
    const url = req.url ?? '';
    return (
      url.startsWith(GRAPHQL_PATH) &&
      (url.length === GRAPHQL_PATH.length || url[GRAPHQL_PATH.length] === '?') &&
      GRAPHQL_METHODS.includes(req.method ?? '')
    );
  };
  // Sockets share the HTTP port: @hono/node-server hands upgrades to this ws server (frames <= 1 MiB).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const server = await new Promise<Server>((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: config.HOST,
        port: config.PORT,
        websocket: { server: wss },
        // node:http's, with GraphQL requests handed to yoga before Hono's listener sees them (typed
        // as createServer's every overload, of which @hono/node-server calls this one).
        createServer: ((options: ServerOptions, hono: RequestListener) =>
          createServer(options, (req, res) => (isGraphql(req) ? graphql(req, res) : hono(req, res)))) as typeof createServer,
      },
      () => resolve(s as Server),
    );
  });
  answerClientErrors(server);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  const stopHousekeeping = startHousekeeping(services, log, (t) => t.unref());

  let closing: Promise<void> | null = null;
  return {
    url,
    services,
    rooms,
    log,
    close() {
      // Stop accepting, let in-flight requests finish, then close the database.
      stopHousekeeping();
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
