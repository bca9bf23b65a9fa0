import { SignJWT, jwtVerify } from 'jose';

/** Bearer JWTs for GraphQL and tRPC clients (HS256, short-lived, subject = user id). */
export function tokenIssuer(secret: string, ttlSeconds = 3600) {
  const key = new TextEncoder().encode(secret);
  return {
    async sign(userId: string): Promise<string> {
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setIssuer('arena')
        .sign(key);
    },
    /** The user id the token was issued for, or null when it is invalid or expired. */
    async verify(token: string): Promise<string | null> {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'arena', algorithms: ['HS256'] });
        return typeof payload.sub === 'string' ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}

export type TokenIssuer = ReturnType<typeof tokenIssuer>;
