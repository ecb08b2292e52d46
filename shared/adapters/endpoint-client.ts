import { lookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type ChannelType, ENDPOINT_TIMEOUT_MS, type PostOutcome } from '../domain/endpoint';
import { checkEndpointUrl, type EndpointCheck, isLoopback, isPublicAddress } from '../domain/endpoint-url';
import type { EndpointPoster } from '../ports';

/*
 * POSTs an event to a customer's endpoint, the one place that connects to an address a customer chose.
 * The URL is checked, its host resolved once and every address checked, and the connection goes to the
 * address that was checked (a pinned lookup: no second resolution a DNS rebinding could answer
 * differently). No redirect is followed, the answer is read up to 64 KB, and connecting and answering
 * together take at most five seconds: one slow endpoint holds up only its own delivery.
 */

export interface EndpointClientOptions {
  /** The local stack and tests only (`CHANNELS_ALLOW_LOOPBACK`): their receivers listen on 127.0.0.1. */
  allowLoopback: boolean;
  timeoutMs?: number;
  maxAnswerBytes?: number;
  /** Every address a host name resolves to (the system resolver by default). */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

const USER_AGENT = 'status-notifier-webhooks/1';
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

export class EndpointClient implements EndpointPoster {
  private readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly resolve: NonNullable<EndpointClientOptions['resolve']>;

  constructor(private readonly options: EndpointClientOptions) {
    this.timeoutMs = options.timeoutMs ?? ENDPOINT_TIMEOUT_MS;
    this.maxAnswerBytes = options.maxAnswerBytes ?? 64 * 1024;
    this.resolve = options.resolve ?? ((host) => lookup(host, { all: true, order: 'verbatim' }));
  }

  /** The URL's check and its host's, as at a send, without sending: for subscribing. */
  async check(endpoint: string, kind?: ChannelType): Promise<EndpointCheck> {
    const check = checkEndpointUrl(endpoint, {
      allowLoopback: this.options.allowLoopback,
      ...(kind ? { kind } : {}),
    });
    if (!check.ok) return check;
    try {
      await this.checkedAddress(check.url.hostname.replace(/^\[|\]$/g, ''));
      return check;
    } catch (error) {
      if (error instanceof Blocked) return { ok: false, problem: error.message };
      return { ok: false, problem: `its host name does not resolve (${codeOf(error)}): check the address` };
    }
  }

  async post(
    endpoint: string,
    body: string,
    headers: Record<string, string>,
    options: { timeoutMs?: number; cutOff?: AbortSignal; kind?: ChannelType } = {},
  ): Promise<PostOutcome> {
    const timeoutMs = Math.min(options.timeoutMs ?? this.timeoutMs, this.timeoutMs);
    const check = checkEndpointUrl(endpoint, {
      allowLoopback: this.options.allowLoopback,
      ...(options.kind ? { kind: options.kind } : {}),
    });
    if (!check.ok) return { kind: 'blocked', reason: check.problem };
    const { url } = check;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let address: { address: string; family: number };
    try {
      address = await this.checkedAddress(host);
    } catch (error) {
      if (error instanceof Blocked) return { kind: 'blocked', reason: error.message };
      return {
        kind: 'retry',
        reason: `the host name did not resolve (${codeOf(error)})`,
        latencyMs: elapsed(),
        answer: '',
      };
    }
    try {
      const { status, answer, retryAfter } = await this.send(url, address, body, headers, {
        timeoutMs,
        ...(options.cutOff ? { cutOff: options.cutOff } : {}),
      });
      const latencyMs = elapsed();
      if (status >= 200 && status < 300) return { kind: 'delivered', status, latencyMs, answer };
      if (status === 410) return { kind: 'gone', status, latencyMs, answer };
      if (status === 429 || status === 408 || status >= 500) {
        const retryAfterSeconds = retryAfterOf(retryAfter);
        return {
          kind: 'retry',
          status,
          reason: `answered ${status}`,
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
          latencyMs,
          answer,
        };
      }
      return { kind: 'rejected', status, latencyMs, answer };
    } catch (error) {
      return {
        kind: 'retry',
        reason: reasonOf(error, timeoutMs, elapsed()),
        ...(error instanceof TimeoutError
          ? { timedOut: true, ...(error.early ? { cutOff: true } : {}) }
          : {}),
        latencyMs: elapsed(),
        answer: '',
      };
    }
  }

  /** The address to connect to, once every address of the host has been found allowed. */
  private async checkedAddress(host: string): Promise<{ address: string; family: number }> {
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolveInTime(host);
    const allowed = (address: string) =>
      isPublicAddress(address) || (this.options.allowLoopback && isLoopback(address));
    const first = addresses[0];
    if (!first) throw new Error('ENOTFOUND');
    if (!addresses.every(({ address }) => allowed(address)))
      throw new Blocked(
        'resolves to a private, local or reserved address: updates go to public addresses only',
      );
    return first;
  }

  /** The lookup counts against the endpoint's own time: a name whose DNS stalls holds up only itself. */
  private async resolveInTime(host: string) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('ETIMEOUT'), { code: 'ETIMEOUT' })),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.resolve(host), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  private send(
    url: URL,
    address: { address: string; family: number },
    body: string,
    headers: Record<string, string>,
    limits: { timeoutMs: number; cutOff?: AbortSignal },
  ): Promise<{ status: number; answer: string; retryAfter?: string }> {
    // The connection goes to the address checked, whatever a second resolution would say.
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [address]);
      else callback(null, address.address, address.family);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = request(url, {
        method: 'POST',
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: pinned,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': USER_AGENT,
          ...headers,
        },
      });
      // Settled here, not only by the request's events: once its answer has begun, a destroyed request
      // need not say so again.
      const end = (error: TimeoutError) => {
        outgoing.destroy(error);
        settled();
        reject(error);
      };
      const cut = () => end(new TimeoutError(true));
      const deadline = setTimeout(() => end(new TimeoutError()), limits.timeoutMs);
      const settled = () => {
        clearTimeout(deadline);
        limits.cutOff?.removeEventListener('abort', cut);
      };
      if (limits.cutOff?.aborted) cut();
      else limits.cutOff?.addEventListener('abort', cut, { once: true });
      outgoing.on('error', (error) => {
        settled();
        reject(error);
      });
      outgoing.on('response', (response: IncomingMessage) => {
        // Answered: cutting it off now would only make a delivery that was taken look lost.
        limits.cutOff?.removeEventListener('abort', cut);
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          settled();
          const retryAfter = response.headers['retry-after'];
          resolve({
            status: response.statusCode ?? 0,
            answer: Buffer.concat(chunks).subarray(0, this.maxAnswerBytes).toString('utf8'),
            ...(retryAfter ? { retryAfter } : {}),
          });
        };
        response.on('data', (chunk: Buffer) => {
          if (size >= this.maxAnswerBytes) return;
          chunks.push(chunk);
          size += chunk.length;
          // Enough read: the rest of a large answer is not waited for.
          if (size >= this.maxAnswerBytes) {
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        response.on('error', (error) => {
          if (size >= this.maxAnswerBytes) return;
          settled();
          reject(error);
        });
      });
      outgoing.end(body);
    });
  }
}

class Blocked extends Error {}
/** No answer in time; `early`: cut off by the caller before the time was up. */
class TimeoutError extends Error {
  constructor(readonly early = false) {
    super('timed out');
  }
}

/** `Retry-After` in seconds: a number of seconds, or an HTTP date. */
function retryAfterOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function reasonOf(error: unknown, timeoutMs: number, elapsedMs: number): string {
  if (error instanceof TimeoutError)
    return `no answer within ${error.early ? (elapsedMs / 1000).toFixed(1) : timeoutMs / 1000} s`;
  return `the connection failed (${codeOf(error)})`;
}

const codeOf = (error: unknown) =>
  (error as { code?: string })?.code ?? (error instanceof Error ? error.message : String(error));
