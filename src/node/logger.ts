import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel, Logger } from '../observe/logger.js';

/**
 * Keys that must never reach a log line, wherever a caller puts them (belt and braces: request
 * records carry no headers or bodies at all).
 */
const REDACT = ['password', 'token', 'cookie', 'authorization', '*.password', '*.token', '*.cookie', '*.authorization'];

/**
 * The gateway's and the judge's logger on Node: pino, one JSON object a line on stdout; on a
 * terminal, pino-pretty's human form of the same records.
 */
export function nodeLogger(level: LogLevel, service: 'gateway' | 'judge', tty = process.stdout.isTTY === true): Logger {
  const options = { level, base: { service, pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } };
  return tty ? pino(options, pretty({ colorize: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' })) : pino(options);
}
