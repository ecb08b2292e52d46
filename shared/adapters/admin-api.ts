import type { ChangeSubscriberInput, SubscriberSearch } from '../domain/admin-inputs';
import {
  Backlog,
  EndpointTestResult,
  EndpointView,
  ImportReport,
  IncidentReport,
  Listed,
  SessionCreated,
  SessionView,
  Suppression,
} from '../domain/admin-views';
import { CatalogView } from '../domain/catalog';
import { CatalogImported } from '../domain/catalog-import';
import { Delivery } from '../domain/delivery';
import { EndpointHealth } from '../domain/endpoint';
import { Subscriber } from '../domain/subscriber';
import * as z from '../domain/zod';
import type { ErrorDetail } from '../errors';
import { ErrorBody } from '../http/errors';

/** What the admin API said when it refused, or why it could not be asked (status 502/504, no body). */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';
  constructor(
    /** `DELETE /v1/admin/suppressions/…`: what was asked. */
    readonly request: string,
    readonly status: number,
    /** The API's error code (`FORBIDDEN`, `VALIDATION`…), or `UNREACHABLE` / `BAD_RESPONSE`. */
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** One line for a terminal: what was asked, the status, the message and the fields it names. */
  get summary(): string {
    const details = this.details.map((d) => `${d.path}: ${d.message}`).join('; ');
    return `${this.request} failed (${this.status}): ${[this.message, details].filter(Boolean).join(' - ')}`;
  }
}

export type SubscriberQuery = Partial<Omit<z.input<typeof SubscriberSearch>, 'limit'>> & { limit?: number };
export interface NewSubscriber {
  email: string;
  topics: Array<{ pageId: string; groupId?: string; componentId?: string }>;
  confirmed: boolean;
  level: string;
}

const TIMEOUT_MS = 25_000;

/**
 * The admin API over HTTP, for the CLI and the support console alike: one client, so neither has a
 * second path into the data. Every answer is checked against the API's schemas; every refusal becomes
 * an `AdminApiError` with the API's status, code, message and details. The credential (an API key or a
 * console session token) goes in the Authorization header only, never in a URL.
 */
export class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly credential: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The same API with another credential (the console: one client per signed-in person). */
  as(credential: string): AdminApi {
    return new AdminApi(this.baseUrl, credential, this.fetchImpl);
  }

  startSession = () => this.json('POST', '/v1/admin/sessions', SessionCreated);
  currentSession = () => this.json('GET', '/v1/admin/sessions/current', SessionView);
  endSession = () => this.json('DELETE', '/v1/admin/sessions/current', z.unknown());

  searchSubscribers = (query: SubscriberQuery) =>
    this.json('GET', `/v1/admin/subscribers?${params(query)}`, Listed(Subscriber));
  reindexSubscribers = (cursor?: string) =>
    this.json(
      'POST',
      '/v1/admin/subscribers/reindex',
      z.object({ scanned: z.number(), reindexed: z.number(), cursor: z.optional(z.string()) }),
      { limit: 500, ...(cursor ? { cursor } : {}) },
    );
  backlog = () => this.json('GET', '/v1/admin/backlog', Backlog);
  importComponents = (pageId: string, document: unknown) =>
    this.json('PUT', `/v1/admin/pages/${enc(pageId)}/components`, CatalogImported, document);
  getSubscriber = (id: string) => this.json('GET', `/v1/admin/subscribers/${enc(id)}`, Subscriber);
  createSubscriber = (input: NewSubscriber) => this.json('POST', '/v1/admin/subscribers', Subscriber, input);
  changeSubscriber = (id: string, change: z.input<typeof ChangeSubscriberInput>) =>
    this.json('PATCH', `/v1/admin/subscribers/${enc(id)}`, Subscriber, change);
  eraseSubscriber = (id: string) =>
    this.json(
      'DELETE',
      `/v1/admin/subscribers/${enc(id)}`,
      z.object({ id: z.string(), deliveriesAnonymized: z.number() }),
    );
  deliveries = (id: string, cursor?: string, limit = 50) =>
    this.json(
      'GET',
      `/v1/admin/subscribers/${enc(id)}/deliveries?${params({ cursor, limit })}`,
      Listed(Delivery),
    );
  endpoint = (id: string) => this.json('GET', `/v1/admin/subscribers/${enc(id)}/endpoint`, EndpointView);
  /** A webhook subscriber's endpoint, or undefined when it has none (any more). */
  findEndpoint = (id: string) => this.unlessNotFound(this.endpoint(id));
  testEndpoint = (id: string) =>
    this.json('POST', `/v1/admin/subscribers/${enc(id)}/endpoint/test`, EndpointTestResult);
  resumeEndpoint = (id: string) =>
    this.json(
      'POST',
      `/v1/admin/subscribers/${enc(id)}/endpoint/resume`,
      z.object({ health: EndpointHealth }),
    );
  incident = (id: string) => this.json('GET', `/v1/admin/incidents/${enc(id)}`, IncidentReport);
  /** The incident's report, or undefined when there is no incident with this id. */
  findIncident = (id: string) => this.unlessNotFound(this.incident(id));

  suppressions = (cursor?: string, limit = 50) =>
    this.json('GET', `/v1/admin/suppressions?${params({ cursor, limit })}`, Listed(Suppression));
  /** The address's suppression, or undefined when it is not suppressed. */
  suppression = (email: string) =>
    this.unlessNotFound(this.json('GET', `/v1/admin/suppressions/${enc(email)}`, Suppression));
  suppress = (email: string, reason?: string) =>
    this.json('POST', '/v1/admin/suppressions', Suppression, { email, ...(reason ? { reason } : {}) });
  liftSuppression = (email: string) =>
    this.json('DELETE', `/v1/admin/suppressions/${enc(email)}`, z.object({ email: z.string() }));

  importCsv = (csv: string, dryRun: boolean) =>
    this.send('POST', `/v1/admin/subscribers/import?dryRun=${dryRun}`, csv, 'text/csv').then((r) =>
      this.parse(r, ImportReport, 'POST /v1/admin/subscribers/import'),
    );
  /** One page of the CSV export, and the cursor of the next. */
  exportPage = async (cursor?: string, limit = 200) => {
    const response = await this.send('GET', `/v1/admin/subscribers/export?${params({ cursor, limit })}`);
    const next = response.headers.get('x-next-cursor');
    return { csv: await response.text(), ...(next ? { cursor: next } : {}) };
  };
  /** The public catalog (for topic trees): the same API, no key needed but none harmful. */
  catalog = () => this.json('GET', '/v1/catalog', CatalogView);

  /** Any JSON route, answer checked against `schema`. */
  async json<S extends z.ZodMiniType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const response = await this.send(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? undefined : 'application/json',
    );
    return this.parse(response, schema, `${method} ${pathOnly(path)}`);
  }

  /** What was asked for, or undefined when the API answered 404. */
  private async unlessNotFound<T>(answer: Promise<T>): Promise<T | undefined> {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof AdminApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async parse<S extends z.ZodMiniType>(
    response: Response,
    schema: S,
    request: string,
  ): Promise<z.output<S>> {
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new AdminApiError(request, 502, 'BAD_RESPONSE', 'the admin API answered in an unexpected shape');
    }
    return parsed.data;
  }

  private async send(method: string, path: string, body?: string, contentType?: string): Promise<Response> {
    const request = `${method} ${pathOnly(path)}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.credential}`,
          accept: 'application/json',
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new AdminApiError(
        request,
        timedOut ? 504 : 502,
        'UNREACHABLE',
        timedOut ? 'the admin API did not answer in time' : 'the admin API could not be reached',
      );
    }
    if (response.ok) return response;
    const text = await response.text();
    let parsed: ErrorBody | undefined;
    try {
      parsed = ErrorBody.parse(JSON.parse(text));
    } catch {
      // not the API's error shape (a gateway's page): keep the status
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new AdminApiError(
      request,
      response.status,
      parsed?.error.code ?? 'HTTP_ERROR',
      parsed?.error.message ?? (text.slice(0, 200) || response.statusText),
      parsed?.error.details ?? [],
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
}

const enc = encodeURIComponent;
/** What a refusal names: the path without its query (a search term is nobody's business in a log). */
const pathOnly = (path: string) => path.split('?')[0] ?? path;

function params(values: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  return search.toString();
}
