import {
  ChangeSubscriberInput,
  NewSubscriberDocuments,
  ReindexInput,
  SubscriberSearch,
  SuppressionInput,
} from '../domain/admin-inputs';
import {
  Backlog,
  EndpointTestResult,
  EndpointView,
  IncidentReport,
  Listed,
  SessionCreated,
  SessionView,
  Suppression,
} from '../domain/admin-views';
import { CatalogImportDocuments } from '../domain/catalog-import';
import { Delivery } from '../domain/delivery';
import { EndpointHealth } from '../domain/endpoint';
import { GenericIncident } from '../domain/generic-incident';
import {
  IncidentPatch,
  IncidentQuery,
  IncidentView,
  IncidentWriteResult,
  NewIncidentUpdate,
  NewPostmortem,
} from '../domain/incident-api';
import { StatuspageComponentWebhook, StatuspageIncidentWebhook } from '../domain/statuspage';
import { Subscriber } from '../domain/subscriber';
import { BetterStackWebhook } from '../domain/vendors/betterstack';
import { InstatusWebhook } from '../domain/vendors/instatus';
import { WebhookEventV1 } from '../domain/webhook-events';
import * as z from '../domain/zod';
import { CreateApiKeyInput } from '../usecases/api-keys';
import { EndpointSubscribeInput } from '../usecases/endpoint-subscribers';
import { FollowInput } from '../usecases/follow';
import { PreferencesUpdate, SubscribeInput } from '../usecases/self-service';
import { ErrorBody } from './errors';
import { BODY_LIMITS, inKilobytes } from './request';

type Auth = 'none' | 'admin' | 'token-in-url' | 'token-in-query';
interface Operation {
  summary: string;
  auth: Auth;
  body?: z.ZodMiniType;
  bodyType?: string;
  /** The largest body the route reads; `BODY_LIMITS.default` unless it takes documents. */
  maxBodyBytes?: number;
  query?: z.ZodMiniObject;
  response?: z.ZodMiniType;
  status?: number;
  /** A request body as a client would send it. */
  example?: unknown;
  /** Takes an Idempotency-Key header. */
  idempotent?: boolean;
  /** A document that is not JSON, in these types; answered 304 to a conditional GET. */
  documents?: readonly string[];
}

const Token = z.object({ token: z.string().check(z.describe('the token from the link in the mail')) });
const Page = z.object({ cursor: z.optional(z.string()), limit: z.optional(z.number().check(z.int())) });

/**
 * Every API route's contract, with request and response schemas taken from the zod schemas the code
 * parses with. Pages for people (/subscribe, /console, /assets) are not API and are not listed.
 */
export const operations: Record<string, Operation> = {
  'POST /v1/webhooks/statuspage/{token}': {
    summary: 'Atlassian Statuspage webhook (incident or component); retries are harmless',
    auth: 'token-in-url',
    body: z.union([StatuspageIncidentWebhook, StatuspageComponentWebhook]),
    maxBodyBytes: BODY_LIMITS.documents,
    status: 202,
  },
  'POST /v1/webhooks/instatus/{token}': {
    summary:
      "Instatus webhook (incident, maintenance or component), as real pages send it and as Instatus documents it: statuses in any case or spacing in Statuspage's words (unknown ones read as an update), the text from markdown, affected_components deciding who hears (unknown ones are named in unknownComponents), a maintenance's window from maintenance_start_date/maintenance_end_date or start and duration; unknown fields ignored, retries harmless",
    auth: 'token-in-url',
    body: InstatusWebhook,
    maxBodyBytes: BODY_LIMITS.documents,
    status: 202,
  },
  'POST /v1/webhooks/betterstack/{token}': {
    summary:
      'Better Stack status page webhook (event_type incident, maintenance or component, in the body or the X-BetterUptime-Event header; other event types are acknowledged and ignored), as Better Stack documents it, read as leniently as Instatus; retries harmless',
    auth: 'token-in-url',
    body: BetterStackWebhook,
    maxBodyBytes: BODY_LIMITS.documents,
    status: 202,
  },
  'POST /v1/incidents': {
    summary:
      'Incident API: open an incident, or send the whole incident with every update so far; resending is harmless, only the newest unseen update notifies',
    auth: 'admin',
    body: GenericIncident,
    maxBodyBytes: BODY_LIMITS.documents,
    status: 202,
    idempotent: true,
    example: {
      pageId: 'zt2xw0cbdp1v',
      incident: {
        id: 'chat-2026-11-23',
        name: 'Chat messages may fail to deliver',
        status: 'investigating',
        impact: 'minor',
        createdAt: '2026-11-23T10:00:00Z',
        components: [{ region: 'Prod1 (US)', name: 'Channel - Chat' }],
        updates: [
          {
            id: 'u1',
            status: 'investigating',
            body: 'Chat messages may not deliver.',
            at: '2026-11-23T10:00:00Z',
          },
        ],
      },
    },
  },
  'GET /v1/incidents': {
    summary: "A page's incidents, newest first; `status=open` for those not yet resolved or completed",
    auth: 'admin',
    query: IncidentQuery,
    response: Listed(IncidentView),
  },
  'GET /v1/incidents/{id}': {
    summary:
      'One incident with its updates, oldest first; `{id}` is the incidentId answered, or the id it was opened with',
    auth: 'admin',
    response: IncidentView,
  },
  'PATCH /v1/incidents/{id}': {
    summary:
      'Rename an incident or change its impact; nobody is notified, and mail keeps its subject (its thread)',
    auth: 'admin',
    body: IncidentPatch,
    response: IncidentView,
    idempotent: true,
    example: { name: 'Chat messages delayed', impact: 'major' },
  },
  'POST /v1/incidents/{id}/updates': {
    summary:
      'Add one update; it notifies unless notify is false. Without an id, send an Idempotency-Key so a retry adds nothing',
    auth: 'admin',
    body: NewIncidentUpdate,
    response: IncidentWriteResult,
    maxBodyBytes: BODY_LIMITS.documents,
    status: 202,
    idempotent: true,
    example: {
      status: 'identified',
      body: 'A queue in the chat service is not draining; a fix is rolling out.',
      components: ['cmpchatus001'],
    },
  },
  'POST /v1/incidents/{id}/postmortem': {
    summary:
      'Publish the postmortem, notified once; the same text again is harmless, another text revises it without notifying again',
    auth: 'admin',
    body: NewPostmortem,
    response: IncidentWriteResult,
    maxBodyBytes: BODY_LIMITS.documents,
    status: 202,
    idempotent: true,
    example: { body: 'A consumer stopped after a deploy; we now alert on queue age.' },
  },
  'GET /v1/catalog': { summary: 'Pages, regions and components, for subscription pickers', auth: 'none' },
  'GET /v1/health': { summary: 'Liveness', auth: 'none' },
  'GET /v1/calendar': {
    summary: "A maintenance's window as an .ics file (text/calendar), from the signed link in its mail",
    auth: 'token-in-query',
    query: z.object({
      incident: z.string().check(z.describe('the incident id')),
      sig: z.string().check(z.describe('the signature from the link in the mail')),
    }),
  },
  'GET /v1/openapi.json': { summary: 'This document', auth: 'none' },
  'GET /feeds/{feed}': {
    summary:
      'A page’s feed, `{feed}` being `<pageId>.atom` (Atom), `.rss` (RSS 2.0), `.json` (JSON Feed 1.1) or `.ics` (its maintenance windows as a calendar, also as webcal://): the 50 newest notified updates, newest first, ids stable `tag:` URIs. ETag and Last-Modified; a conditional GET is answered 304; Cache-Control public, max-age=60. A hidden or unknown page, region or component is a 404 in words',
    auth: 'none',
    query: z.object({
      region: z.optional(
        z
          .array(z.string())
          .check(
            z.describe('repeatable: only what affects these regions (component groups), as mail matches'),
          ),
      ),
      component: z.optional(
        z.array(z.string()).check(z.describe('repeatable: only what affects these components')),
      ),
    }),
    documents: ['application/atom+xml', 'application/rss+xml', 'application/feed+json', 'text/calendar'],
  },
  'POST /v1/subscriptions': {
    summary:
      'Subscribe an address (a confirmation mail follows) or a webhook ({ channel: { type: "webhook", url, format }, ownerEmail, topics }: a signed verification event carrying a confirm_url is POSTed to it, its owner mailed the management link; the signing secret is shown once, on confirmation). The same answer whatever the state (no enumeration)',
    auth: 'none',
    body: z.union([SubscribeInput, EndpointSubscribeInput]),
    status: 202,
  },
  'POST /v1/incidents/{id}/followers': {
    summary:
      "Follow one incident (its id as GET /v1/incidents answers it): a confirmation mail, then each update until it is resolved and its postmortem if one is expected, in everyone's thread. The same answer whatever the address; 409 once the incident is over",
    auth: 'none',
    body: FollowInput,
    status: 202,
    example: { email: 'ana@example.com' },
  },
  'GET /v1/confirm': {
    summary: 'Confirmation page with a button (scanners do not confirm)',
    auth: 'token-in-query',
    query: Token,
  },
  'POST /v1/confirm': { summary: 'Confirm the subscription', auth: 'token-in-query', query: Token },
  'GET /v1/unsubscribe': { summary: 'Unsubscribe page with a button', auth: 'token-in-query', query: Token },
  'POST /v1/unsubscribe': {
    summary: 'Unsubscribe now (RFC 8058 one-click: body List-Unsubscribe=One-Click)',
    auth: 'token-in-query',
    query: Token,
  },
  'GET /v1/preferences': {
    summary: 'Topics, level and status (JSON, or a page for Accept: text/html)',
    auth: 'token-in-query',
    query: Token,
  },
  'POST /v1/preferences': {
    summary:
      "The preferences page's form: topic (repeated topic keys) and level to save, remove (a topic key), or action=resubscribe; answers a page",
    auth: 'token-in-query',
    query: Token,
    bodyType: 'application/x-www-form-urlencoded',
  },
  'PUT /v1/preferences': {
    summary: 'Change topics or level, or unsubscribe',
    auth: 'token-in-query',
    query: Token,
    body: PreferencesUpdate,
  },
  'PUT /v1/admin/pages/{pageId}/components': {
    summary:
      "Import a page's components as its vendor's API lists them: Statuspage's components.json (groups are regions), Instatus's components (parents are regions), Better Stack's resources and sections (named sections are regions); replaces the page's catalog",
    auth: 'admin',
    body: CatalogImportDocuments,
    maxBodyBytes: BODY_LIMITS.documents,
  },
  'POST /v1/admin/subscribers': {
    summary:
      'Add a subscriber: an address ({ email, topics, confirmed?, level? }), or a webhook ({ channel: { type: "webhook", url, format: "v1" | "statuspage" }, ownerEmail, topics, confirmed: true, level? }), whose answer carries its signingSecret once',
    auth: 'admin',
    body: NewSubscriberDocuments,
    response: Subscriber,
    status: 201,
  },
  'GET /v1/admin/subscribers': {
    summary: 'Search subscribers',
    auth: 'admin',
    query: SubscriberSearch,
    response: Listed(Subscriber),
  },
  'GET /v1/admin/subscribers/export': {
    summary: 'CSV export, a page at a time: follow the x-next-cursor header',
    auth: 'admin',
    query: Page,
  },
  'POST /v1/admin/subscribers/import': {
    summary: 'CSV import (email,page,region,component[,status]); reports imported, updated, rejected lines',
    auth: 'admin',
    bodyType: 'text/csv',
    maxBodyBytes: BODY_LIMITS.documents,
    query: z.object({ dryRun: z.optional(z.enum(['true', 'false'])) }),
  },
  'POST /v1/admin/subscribers/reindex': {
    summary:
      'One page of the one-time pass after upgrading: files subscribers stored before the address index into it; repeat with the returned cursor until there is none',
    auth: 'admin',
    body: ReindexInput,
    response: z.object({ scanned: z.number(), reindexed: z.number(), cursor: z.optional(z.string()) }),
  },
  'GET /v1/admin/subscribers/{id}': { summary: 'A subscriber', auth: 'admin', response: Subscriber },
  'PATCH /v1/admin/subscribers/{id}': {
    summary: 'Change topics, level or status',
    auth: 'admin',
    body: ChangeSubscriberInput,
    response: Subscriber,
  },
  'DELETE /v1/admin/subscribers/{id}': {
    summary: 'Erase a subscriber (delivery history keeps no address)',
    auth: 'admin',
  },
  'GET /v1/admin/subscribers/{id}/deliveries': {
    summary: 'Delivery history: sent when, with which SES message id, or why not',
    auth: 'admin',
    query: Page,
    response: Listed(Delivery),
  },
  'GET /v1/admin/subscribers/{id}/endpoint': {
    summary: 'A webhook subscriber’s endpoint: where its updates go (masked) and its health',
    auth: 'admin',
    response: EndpointView,
  },
  'POST /v1/admin/subscribers/{id}/endpoint/test': {
    summary: 'Send a signed test event to a webhook subscriber’s endpoint now: what it answered',
    auth: 'admin',
    response: EndpointTestResult,
  },
  'POST /v1/admin/subscribers/{id}/endpoint/resume': {
    summary: 'Resume a paused webhook: deliveries start again with the next update',
    auth: 'admin',
    response: z.object({ health: EndpointHealth }),
  },
  'GET /v1/admin/incidents/{id}': {
    summary: 'An incident, its updates and per-update counts',
    auth: 'admin',
    response: IncidentReport,
  },
  'GET /v1/admin/suppressions': {
    summary: 'Suppressed addresses',
    auth: 'admin',
    query: Page,
    response: Listed(Suppression),
  },
  'GET /v1/admin/suppressions/{id}': {
    summary: 'One suppressed address (id: the address), or 404 when it is not suppressed',
    auth: 'admin',
    response: Suppression,
  },
  'POST /v1/admin/suppressions': {
    summary: 'Suppress an address',
    auth: 'admin',
    body: SuppressionInput,
    status: 201,
  },
  'DELETE /v1/admin/suppressions/{id}': { summary: 'Lift a suppression (id: the address)', auth: 'admin' },
  'GET /v1/admin/keys': { summary: 'Admin API keys (never their secrets)', auth: 'admin' },
  'POST /v1/admin/keys': {
    summary: 'Create an API key; the key is shown once',
    auth: 'admin',
    body: CreateApiKeyInput,
    status: 201,
  },
  'DELETE /v1/admin/keys/{id}': { summary: 'Revoke an API key', auth: 'admin' },
  'POST /v1/admin/sessions': {
    summary:
      'Sign in to the support console with an API key (read scope is enough): a session token acting as that key, shown once. A session token cannot start another session',
    auth: 'admin',
    response: SessionCreated,
    status: 201,
  },
  'GET /v1/admin/sessions/current': {
    summary: 'The session this request came with: who, which scopes, when it ends if idle',
    auth: 'admin',
    response: SessionView,
  },
  'DELETE /v1/admin/sessions/current': {
    summary: 'Sign out: the session this request came with ends now',
    auth: 'admin',
  },
  'GET /v1/admin/audit': { summary: 'Audit log of admin writes, newest first', auth: 'admin', query: Page },
  'GET /v1/admin/backlog': {
    summary:
      'Updates still being sent, the longest idle first, with their recipients still pending (status-notifier backlog)',
    auth: 'admin',
    response: Backlog,
  },
};

export const documentedRoutes = Object.keys(operations);

const schema = (type: z.ZodMiniType) => z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' });

/** OpenAPI 3.1, generated from the schemas above at cold start. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [route, op] of Object.entries(operations)) {
    const [method = 'GET', path = '/'] = route.split(' ');
    const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParams = Object.entries(op.query?.shape ?? {}).map(([name, type]) => ({
      name,
      in: 'query',
      required: !(type as z.ZodMiniType).safeParse(undefined).success,
      schema: schema(type as z.ZodMiniType),
    }));
    const headerParams = op.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Any 1 to 255 visible ASCII characters, new for each intended change: a retry with the same key and request gets the first answer again (header idempotent-replayed: true) and changes nothing; the key with another request is a 422; while the first still runs, a 409 with Retry-After. Kept for 24 hours.',
            schema: { type: 'string', minLength: 1, maxLength: 255 },
          },
        ]
      : [];
    const hasBody = Boolean(op.body || op.bodyType);
    const maxBody = inKilobytes(op.maxBodyBytes ?? BODY_LIMITS.default);
    const errorContent = { 'application/json': { schema: schema(ErrorBody) } };
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[method.toLowerCase()] = {
      summary: op.summary,
      ...(op.auth === 'admin' ? { security: [{ adminKey: [] }] } : {}),
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(hasBody
        ? {
            requestBody: {
              required: true,
              description: `At most ${maxBody}; a larger body is refused with 413.`,
              content: {
                [op.bodyType ?? 'application/json']: {
                  schema: op.body ? schema(op.body) : { type: 'string' },
                  ...(op.example === undefined ? {} : { example: op.example }),
                },
              },
            },
          }
        : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'success',
          ...(op.response ? { content: { 'application/json': { schema: schema(op.response) } } } : {}),
          ...(op.documents
            ? {
                content: Object.fromEntries(
                  op.documents.map((type) => [type, { schema: { type: 'string' } }]),
                ),
              }
            : {}),
        },
        ...(op.documents
          ? { '304': { description: 'not modified since the reader’s copy (ETag, date)' } }
          : {}),
        ...(hasBody
          ? { '413': { description: `the body is larger than ${maxBody}`, content: errorContent } }
          : {}),
        '4XX': { description: 'the request is wrong; the body names the field', content: errorContent },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'status-notifier',
      version: '1',
      description: 'Status-page subscriber notifier: webhooks in, threaded email out.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'an admin API key' } },
    },
    paths,
    webhooks: subscriberWebhooks(),
  };
}

/** What a webhook subscriber's endpoint receives: the v1 event, signed per Standard Webhooks. */
function subscriberWebhooks() {
  const signed = [
    ['webhook-id', 'the event id: the same on every retry of one event (drop repeats by it)'],
    ['webhook-timestamp', 'seconds since the epoch when this attempt was signed'],
    [
      'webhook-signature',
      'space-separated v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"> with the signing secret (the part after whsec_, base64-decoded); two while a rotated secret still signs',
    ],
  ].map(([name, description]) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  const event = {
    post: {
      summary:
        'format "v1": an incident or maintenance update, a postmortem, a test or a verification event; answer 2xx within 5 s. 429 (Retry-After honoured) and 5xx are retried for a day; 410 stops deliveries; redirects are not followed',
      parameters: signed,
      requestBody: { required: true, content: { 'application/json': { schema: schema(WebhookEventV1) } } },
      responses: { '2xx': { description: 'received' } },
    },
  };
  return { statusEvent: event };
}
