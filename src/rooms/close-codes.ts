/** The RFC 6455 close codes the rooms and their hosts use: one definition for every kind and host. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** A frame of a type the protocol does not take (binary, say). */
  UNSUPPORTED: 1003,
  POLICY: 1008,
  /** A frame over the host's size limit. */
  TOO_BIG: 1009,
  INTERNAL: 1011,
  /** Too slow to read what it is sent. */
  TRY_AGAIN: 1013,
} as const;
