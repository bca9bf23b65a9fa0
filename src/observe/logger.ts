/**
 * The one logging port: structured records (fields + message), pino's call shape, so the Node
 * host passes a pino logger as is and the edge and Deno a console one writing the same fields.
 */
export type LogFields = Record<string, unknown>;
type LogFn = (fields: LogFields, msg: string) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: LogFields): Logger;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino's numbers, so a line reads the same whichever host wrote it. */
const LEVEL_NUMBER = { debug: 20, info: 30, warn: 40, error: 50, silent: Number.POSITIVE_INFINITY } as const;

/** An Error as pino's standard serializer writes it; anything else as is. */
function serialize(fields: LogFields): LogFields {
  const err = fields.err;
  if (!(err instanceof Error)) return fields;
  return { ...fields, err: { type: err.name, message: err.message, stack: err.stack } };
}

/** One JSON object a line through `write` (console.log at the edge and on Deno). */
export function consoleLogger(level: LogLevel, bindings: LogFields = {}, write: (line: string) => void = console.log): Logger {
  const threshold = LEVEL_NUMBER[level];
  const at =
    (name: Exclude<LogLevel, 'silent'>): LogFn =>
    (fields, msg) => {
      const n = LEVEL_NUMBER[name];
      if (n < threshold) return;
      write(JSON.stringify({ level: n, time: Date.now(), ...bindings, ...serialize(fields), msg }));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => consoleLogger(level, { ...bindings, ...more }, write),
  };
}

/** A logger that drops everything (tools and tests that print nothing). */
export const silentLogger: Logger = consoleLogger('silent');
