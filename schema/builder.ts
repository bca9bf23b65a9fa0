import SchemaBuilder from '@pothos/core';
import type { Services } from '../src/services/index.js';
import type { User } from '../src/services/users.js';

export interface GraphQLContext {
  services: Services;
  actor: User | null;
  /** The client's address: login limits count per client. */
  address: string | undefined;
}

/** The single Pothos builder every type file adds to. */
export const builder = new SchemaBuilder<{ Context: GraphQLContext; DefaultFieldNullability: false }>({
  defaultFieldNullability: false,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Times go out as ISO 8601 strings (UTC). */
export const isoTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
