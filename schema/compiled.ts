import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, getOperationAST, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Logger } from '../src/observe/logger.js';

const LINE_END = /\r\n|[\n\r]/g;

/** The offset in `body` of a 1-based line and column, as graphql counts lines. */
function offsetOf(body: string, line: number, column: number): number {
  let start = 0;
  LINE_END.lastIndex = 0;
  for (let l = 1; l < line && LINE_END.exec(body); l++) start = LINE_END.lastIndex;
  return start + column - 1;
}

/**
 * A graphql-jit error (of graphql's CommonJS build, its fields read-only, its place only as line
 * and column) as graphql's own, positioned in the document: masking then sees it as any other,
 * and yoga's serializer, which rebuilds every error from its source and positions, keeps where
 * it happened.
 */
function positioned(err: GraphQLError, document: DocumentNode): GraphQLError {
  const source = document.loc?.source;
  const positions = source && err.locations?.map((l) => offsetOf(source.body, l.line, l.column));
  return new GraphQLError(err.message, { source, positions, path: err.path, originalError: err.originalError, extensions: err.extensions });
}

/**
 * Queries and mutations compiled once per document (graphql-jit, beside yoga's parse cache): a
 * read's execution costs a fraction of the interpreter's. Subscriptions stay interpreted: compiled,
 * they lose their arguments' literals, and a stream is set up once anyway.
 */
export function compiledExecution(log: Logger) {
  const positionErrors: Plugin = {
    onExecute({ args }) {
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (result.errors?.length) setResult({ ...result, errors: result.errors.map((e) => positioned(e, args.document)) });
          }),
      };
    },
  };
  const jit = useGraphQlJit(
    {},
    {
      enableIf: ({ document, operationName }) => getOperationAST(document, operationName)?.operation !== 'subscription',
      // The failure reaches the client in the result; the operator may want to know it was not compiled.
      onError: (result) => log.warn({ errors: result.errors?.map((e) => e.message) }, 'graphql document not compiled'),
    },
  );
  return [positionErrors, jit];
}
