import type { Plugin } from 'graphql-yoga';
import type { Answered, ObserveRequest } from '../src/observe/requests.js';

/**
 * For a host serving GraphQL with yoga's own adapter (outside the app's middleware): each
 * request observed as the app observes its own, under the route pattern `route`.
 */
export function observedByYoga<S extends object>(observe: ObserveRequest, route: string, addressOf: (serverContext: S) => string): Plugin<object, S> {
  const open = new WeakMap<Request, Answered>();
  return {
    onRequest({ request, serverContext }) {
      open.set(request, observe(request, addressOf(serverContext)));
    },
    onResponse({ request, response }) {
      open.get(request)?.(route, response.status);
    },
  };
}
