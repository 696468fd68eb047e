import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Judge0's `callback_url`: when the run ends, a PUT of the result to a URL the caller chose. That
 * is a server-side request forgery waiting to happen, so: only hosts named in
 * CALLBACK_ALLOWED_HOSTS; an address that is loopback, link-local, private or otherwise not
 * public only when that very address is listed (a listed *name* that resolves to 127.0.0.1 is
 * still refused: DNS is the attacker's); the connection goes to the address that was checked
 * (no second lookup to rebind); redirects are never followed (a 3xx is just the answer).
 */

/** Null when the URL may be used, else why not (a Rails-style message for the 422). */
export function checkCallbackUrl(raw: string, allowedHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain credentials';
  const host = hostOf(url);
  if (!allowedHosts.includes(host)) return `host ${host} is not allowed (CALLBACK_ALLOWED_HOSTS)`;
  return null;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Loopback, private, link-local, unspecified, CGNAT, multicast and reserved ranges (v4 and v6). */
export function isNonPublicAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const v6 = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return isNonPublicAddress(mapped[1]!);
  return (
    v6 === '::' ||
    v6 === '::1' ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('fc') ||
    v6.startsWith('fd') ||
    v6.startsWith('ff')
  );
}

/** The address to connect to, or why none may be used. */
export async function resolveCallbackTarget(raw: string, allowedHosts: readonly string[]): Promise<{ url: URL; address: string } | { refused: string }> {
  const why = checkCallbackUrl(raw, allowedHosts);
  if (why) return { refused: why };
  const url = new URL(raw);
  const host = hostOf(url);
  const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
  const usable = addresses.filter((a) => !isNonPublicAddress(a) || allowedHosts.includes(a.toLowerCase()));
  if (usable.length === 0) return { refused: `${host} resolves only to non-public addresses that are not listed in CALLBACK_ALLOWED_HOSTS` };
  return { url, address: usable[0]! };
}

export interface CallbackResult {
  delivered: boolean;
  status?: number;
  refused?: string;
  error?: string;
}

/** PUT `body` as JSON; up to `tries` attempts on network errors only (as Judge0), `timeoutMs` each. */
export async function sendCallback(raw: string, body: unknown, allowedHosts: readonly string[], opts: { tries?: number; timeoutMs?: number } = {}): Promise<CallbackResult> {
  let target: Awaited<ReturnType<typeof resolveCallbackTarget>>;
  try {
    target = await resolveCallbackTarget(raw, allowedHosts);
  } catch (err) {
    return { delivered: false, error: (err as Error).message };
  }
  if ('refused' in target) return { delivered: false, refused: target.refused };
  const payload = Buffer.from(JSON.stringify(body));
  let lastError = '';
  for (let i = 0; i < (opts.tries ?? 3); i++) {
    try {
      const status = await put(target.url, target.address, payload, opts.timeoutMs ?? 5000);
      return { delivered: true, status };
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  return { delivered: false, error: lastError };
}

function put(url: URL, address: string, payload: Buffer, timeoutMs: number): Promise<number> {
  const secure = url.protocol === 'https:';
  const options: https.RequestOptions = {
    method: 'PUT',
    host: address,
    port: url.port || (secure ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    headers: { host: url.host, 'content-type': 'application/json', 'content-length': payload.length },
    timeout: timeoutMs,
    // TLS is verified against the URL's name, while the connection goes to the checked address.
    ...(secure ? { servername: net.isIP(hostOf(url)) ? undefined : hostOf(url) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('callback timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
