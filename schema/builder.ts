import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import type { Services } from '../src/services/index.js';
import type { User } from '../src/services/users.js';

export interface GraphQLContext {
  services: Services;
  actor: User | null;
  /** The client's address: login limits count per client. */
  address: string | undefined;
}

/**
 * The single Pothos builder every type file adds to. Its dataloaders (`t.loadable`) live in a cache
 * keyed by the request's context object: one set per request, each loading as that request's actor.
 */
export const builder = new SchemaBuilder<{ Context: GraphQLContext; DefaultFieldNullability: false }>({
  plugins: [DataloaderPlugin],
  defaultFieldNullability: false,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Times go out as ISO 8601 strings (UTC). */
export const isoTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
