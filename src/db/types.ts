import type { Client, InStatement, ResultSet, Row, Transaction } from '@libsql/client';

export type { Client, InStatement, ResultSet, Row, Transaction };

/** Anything statements can run on: the client itself or an open transaction. */
export type Executor = Pick<Client, 'execute'> | Pick<Transaction, 'execute'>;
