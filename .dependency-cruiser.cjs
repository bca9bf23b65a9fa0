// House layer rules (npm run lint:layers). Paths are relative to the repo root.
// Type-only imports (`import type ...`) are erased at build time, so the Node-only rules skip
// them; `import { type X } from 'm'` is NOT type-only (verbatimModuleSyntax keeps the import).

/** Runtime-neutral code: everything the edge bundle may contain. */
const NEUTRAL = '^(src|schema|edge)/';
const NEUTRAL_EXCEPT = ['^src/node/', '^src/deno/', '^schema/print\\.ts$'];

/**
 * Node-only npm packages, as resolved paths (Node's conditions): `@libsql/client` itself resolves to
 * its native Node build; `@libsql/client/web` and `/http` are fine. `(^|/)`: a symlinked
 * node_modules (the layer test's fixture) resolves outside the base dir.
 */
const NODE_ONLY_PACKAGES = [
  '(^|/)node_modules/(ws|ioredis|piscina|@hono/node-server|pino|pino-pretty|prom-client)/',
  '(^|/)node_modules/@libsql/client/lib-(esm|cjs)/(node|sqlite3)\\.js$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'src-not-to-judge',
      severity: 'error',
      comment: 'The gateway (src/) never imports the judge process (judge/); shared CARP rules live in src/carp/.',
      from: { path: '^src/' },
      to: { path: '^judge/' },
    },
    {
      name: 'judge-not-to-services',
      severity: 'error',
      comment: 'The judge talks to the gateway over tRPC as a WORKER user, never by importing its services.',
      from: { path: '^judge/' },
      to: { path: '^src/services/' },
    },
    {
      name: 'judge-through-its-client',
      severity: 'error',
      comment: 'Of the gateway, the judge uses the CARP rules, the shared config, the logger and the AppRouter type only.',
      from: { path: '^judge/' },
      to: {
        path: '^src/',
        pathNot: ['^src/carp/', '^src/config\\.ts$', '^src/trpc/router\\.ts$', '^src/node/logger\\.ts$', '^src/observe/logger\\.ts$'],
      },
    },
    {
      name: 'judge-router-type-only',
      severity: 'error',
      comment: 'The AppRouter is a type to the judge: importing the router at runtime would pull in the services.',
      from: { path: '^judge/' },
      to: { path: '^src/trpc/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-not-to-doors',
      severity: 'error',
      comment:
        'The core (rooms, services, identity, wire, carp, bus, db, observe) sits below the front doors: it never imports src/rest, src/trpc or schema/.',
      from: { path: '^src/(rooms|services|identity|wire|carp|bus|db|observe)/' },
      to: { path: '^(src/rest|src/trpc|schema)/' },
    },
    {
      name: 'carp-is-pure',
      severity: 'error',
      comment: 'The CARP rules depend on nothing else of the gateway (the judge imports them alone).',
      from: { path: '^src/carp/' },
      to: { path: '^src/', pathNot: '^src/carp/' },
    },
    {
      name: 'neutral-no-node-builtins',
      severity: 'error',
      comment: 'Runtime-neutral code (src/ except src/node/, schema/ except print.ts, edge/) uses Web APIs only: no node:* or bare core modules.',
      from: { path: NEUTRAL, pathNot: NEUTRAL_EXCEPT },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'neutral-no-node-packages',
      severity: 'error',
      comment: 'Runtime-neutral code never imports Node-only packages (ws, ioredis, piscina, @hono/node-server, @libsql/client) at runtime.',
      from: { path: NEUTRAL, pathNot: NEUTRAL_EXCEPT },
      to: { path: NODE_ONLY_PACKAGES, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    // Keep type-only imports in the graph (labelled type-only) so rules can tell them apart.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^data/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // How Node resolves the packages: @libsql/client then lands on its Node build.
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
