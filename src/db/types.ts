import type { Client, Transaction } from '@libsql/client';

export type { Client, Transaction };

/** Anything statements can run on: the client itself or an open transaction. */
export type Executor = Pick<Client, 'execute'> | Pick<Transaction, 'execute'>;
