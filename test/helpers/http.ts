/** A legacy HTTP client with a cookie jar, over real fetch to the test server. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** An answer as the tests read it: its text, and its JSON when it is JSON. */
export async function readResult(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export class Client {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const h: Record<string, string> = { ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload: string | FormData | undefined;
    if (body instanceof FormData)
      payload = body; // fetch writes the multipart body and its content type
    else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (/Max-Age=0|expires=Thu, 01 Jan 1970/i.test(c) || v === '') this.cookies.delete(k!.trim());
      else this.cookies.set(k!.trim(), v!.trim());
    }
    return readResult(res);
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }

  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, body, headers);
  }
}

/** Logs in through the judge API and returns the client holding its JSESSIONID. */
export async function judgeLogin(base: string, username: string, password: string): Promise<Client> {
  const c = new Client(base);
  const r = await c.post('/api/login', { username, password });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
  return c;
}
