/** A browser-like HTTP client over real fetch: keeps the session cookie between calls. */
export class HttpClient {
  cookie = '';

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.cookie) (init.headers as Record<string, string>).cookie = this.cookie;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof FormData) init.body = body;
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
    }
    const response = await fetch(this.baseUrl + path, init);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0];
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await response.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request('POST', path, body, headers);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

let counter = 0;

/** Registers a fresh user (unique name per call) and returns a client signed in as them. */
export async function registerUser(baseUrl: string, name?: string) {
  const client = new HttpClient(baseUrl);
  const username = name ?? `user_${process.pid % 10000}_${++counter}`;
  const res = await client.post('/api/auth/register', { username, password: 'password123' });
  if (res.status !== 201) throw new Error(`register ${username} failed: ${res.status} ${res.text}`);
  return { client, id: res.json.id as number, username, cookie: client.cookie };
}
