import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { functionSpecs, type HttpRoute } from '../../infra/functions';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import {
  ChangeSubscriberInput,
  CreateEndpointSubscriberInput,
  CreateSubscriberInput,
  ReindexInput,
  SuppressionInput,
} from '../../shared/domain/admin-inputs';
import { calendarSignature } from '../../shared/domain/calendar';
import { ComponentsJson } from '../../shared/domain/catalog';
import { csrfToken } from '../../shared/domain/csrf';
import { GenericIncident } from '../../shared/domain/generic-incident';
import { IncidentPatch, NewIncidentUpdate, NewPostmortem } from '../../shared/domain/incident-api';
import { createManageToken } from '../../shared/domain/link-tokens';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { BetterStackWebhook } from '../../shared/domain/vendors/betterstack';
import { InstatusWebhook } from '../../shared/domain/vendors/instatus';
import { BODY_LIMITS, inKilobytes } from '../../shared/http/request';
import { CreateApiKeyInput } from '../../shared/usecases/api-keys';
import { EndpointSubscribeInput } from '../../shared/usecases/endpoint-subscribers';
import { FollowInput } from '../../shared/usecases/follow';
import { PreferencesUpdate, SubscribeInput } from '../../shared/usecases/self-service';
import betterStackIncident from '../fixtures/betterstack/incident.json';
import instatusIncident from '../fixtures/instatus/incident.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { mailTo } from '../support/local-aws';
import { adminCall, startTestStack } from '../support/stack';

/*
 * Malformed and hostile requests against every HTTP route of the system, generated from the route list
 * (`functionSpecs`): a route without a profile below fails the suite. Every refusal is a 4xx, never a
 * 5xx; a client that asks for JSON gets a JSON error naming the problem, a browser on a page route a page
 * in words; and a group of refusals writes nothing (every table scanned before and after). Hostile text
 * that a route may accept (an incident's name) is sent in a group of its own, and then looked for in the
 * pages and mails it reaches: escaped in HTML, never a line of its own in a mail header.
 */

let stack: LocalStack;
let dynamo: DynamoDBClient;
const run = randomUUID().slice(0, 8);
/** Every address the corpus makes carries this, so no mail to one can hide among other suites' mail. */
const corpusEmail = (label: string) => `hx-${run}-${label}@example.com`;
/**
 * A webhook URL of the corpus: loopback (the test stack allows it), on a port nothing listens on, each one
 * new so that no case finds another's subscriber. A verification event to it is refused there.
 */
const corpusHook = (label: string) => `http://127.0.0.1:9/hx-${run}-${label}-${randomUUID().slice(0, 8)}`;

// ---------------------------------------------------------------------------------------------------
// Hostile values

const MARKUP = '<script>hostile()</script><img src=x onerror=hostile()>';
const CRLF = 'x\r\nBcc: victim@example.com\r\nX-Injected: yes\r\n\r\n';
const HOSTILE_TEXT = `${CRLF}${MARKUP}`;
/** What escaped markup never contains: the tags as written. */
const RAW_MARKUP = /hostile\(\)<\/script>|<img src=x/i;
/** The same markup, escaped (by name or by number). */
const ESCAPED_MARKUP = /(&lt;|&#60;|&#x3c;)script(&gt;|&#62;|&#x3e;)hostile\(\)/i;
const KB = 1024;
type Bytes = Uint8Array<ArrayBuffer>;
/** Bytes sent as they are, valid UTF-8 or not. */
const bytes = (buffer: Buffer): Bytes => new Uint8Array(buffer);
const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const INVALID_EMAILS = [
  '',
  ' ',
  'plainaddress',
  '@example.com',
  'a@',
  'a@@example.com',
  'a b@example.com',
  'a@example.com, b@example.com',
  'a@example.com\r\nBcc: victim@example.com',
  `${MARKUP}@example.com`,
  'a\u0000@example.com',
  '"a\\"b"@example.com<script>',
  `${'a'.repeat(250)}@example.com`,
  `${'a'.repeat(1_000_000)}@example.com`,
];

/**
 * Endpoint URLs that must never be POSTed to: the cloud's metadata service, private and other reserved
 * networks (loopback is left out: the test stack allows 127.0.0.1 for its receivers, as the issue says),
 * addresses spelled as numbers, other schemes and ports, and URLs that are not URLs. Each is refused
 * before any lookup: none asks a resolver, none connects.
 */
const HOSTILE_URLS = [
  'https://169.254.169.254/latest/meta-data/',
  'https://10.0.0.1/hook',
  'https://192.168.1.1/hook',
  'https://100.64.0.1/hook',
  'https://[::ffff:169.254.169.254]/hook',
  'https://[fd00::1]/hook',
  'https://2852039166/hook',
  'https://0xa9fea9fe/hook',
  'https://0251.0376.0251.0376/hook',
  'https://status.example.com:22/hook',
  'http://status.example.com/hook',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'gopher://status.example.com/_hook',
  `https://${HOSTILE_TEXT}/hook`,
  'not a url',
  '',
  `https://status.example.com/${'a'.repeat(5000)}`,
];

/** Query values as they appear in a URL, percent-encoded or not; a few are not valid UTF-8 at all. */
const QUERY_VALUES = [
  '%ff%fe',
  '%',
  '%E0%A4%A',
  '%C0%BC',
  '%00',
  '%0d%0aSet-Cookie:%20stolen=1',
  encodeURIComponent(HOSTILE_TEXT),
  '%E2%82%AC'.repeat(1000),
];

/** Path segments: unknown, not valid UTF-8, control characters, markup, traversal, long in bytes. */
const PATH_VALUES = [
  `nope-${run}`,
  '%ff%fe',
  '%',
  '%0d%0a',
  '%00',
  encodeURIComponent(MARKUP),
  '..%2F..%2Fetc%2Fpasswd',
  'x'.repeat(1001),
  '%E2%82%AC'.repeat(1000),
];

// ---------------------------------------------------------------------------------------------------
// Route profiles: what a request to each route needs to reach the route's own checks

type Auth = 'none' | 'admin' | 'console' | 'console-origin' | 'webhook';
type Json = Record<string, unknown>;
type Form = Record<string, string | string[]>;

interface JsonBody {
  kind: 'json';
  schema: z.ZodMiniType;
  sample: () => Json;
  /** Fields holding addresses (dotted paths). */
  emails?: string[];
  /** Fields holding a URL we would POST to (dotted paths). */
  urls?: string[];
  /** Other shapes the route takes (a webhook instead of an address): each gets the same cases. */
  variants?: Array<{
    label: string;
    schema: z.ZodMiniType;
    sample: () => Json;
    emails?: string[];
    urls?: string[];
  }>;
}
interface FormBody {
  kind: 'form';
  sample: () => Form;
  /** Fields whose hostile or oversized value must be refused. */
  strict: string[];
  /** Fields that must be there. */
  required: string[];
  emails?: string[];
  /** Free text the route may accept: sent hostile in the accepted group. */
  free?: string[];
}
interface CsvBody {
  kind: 'csv';
}
type Body = JsonBody | FormBody | CsvBody | { kind: 'none' };

interface QueryParam {
  /** A value that lets the request through (required parameters). */
  valid?: () => string;
  /** A hostile value must be refused (an enum, a number, a token, a cursor). */
  strict?: boolean;
}

interface Profile {
  auth: Auth;
  body: Body;
  /** Path parameters that reach the route's own checks (URL-encoded). */
  path?: Record<string, () => string>;
  query?: Record<string, QueryParam>;
  /** A valid request acts (erases, signs out, confirms) whatever its body: only refusable cases are sent. */
  acts?: boolean;
  /** Takes documents (`BODY_LIMITS.documents`), not just small forms and requests. */
  documents?: boolean;
  /** An id it does not know is no error: a deleted subscriber's delivery history is kept, and listed. */
  unknownIdsListed?: boolean;
}

interface Fixtures {
  subscriberId: string;
  manageToken: string;
  incidentId: string;
  /** An incident opened through the incident API: the one its writes may change. */
  apiIncidentId: string;
  suppressed: string;
  consoleToken: string;
}
let fx: Fixtures;

const key = (route: HttpRoute) => `${route.method} ${route.path}`;
const topicKey = `C#${PAGE_ID}#${US_CHAT}`;
const HOSTILE_PAGE = `hx${run}`;
const manage = { token: { valid: () => fx.manageToken, strict: true } };
const cursorAndLimit = { cursor: { strict: true }, limit: { strict: true } };

function webhookSample(): Json {
  return incidentWebhook({ ...chatMessagesMayFail, id: `hx${randomUUID().slice(0, 10)}` }, 2) as Json;
}

/** A vendor's documented incident webhook, as a fresh incident on the fixture page. */
function vendorSample(fixture: Json): Json {
  const document = clone(fixture) as { page: Json; incident: Json };
  document.page.id = PAGE_ID;
  document.incident.id = `hx${randomUUID().slice(0, 10)}`;
  return document;
}

function genericIncidentSample(): Json {
  return {
    pageId: PAGE_ID,
    incident: {
      id: `hx${randomUUID().slice(0, 10)}`,
      name: 'Chat delayed',
      status: 'identified',
      impact: 'minor',
      url: 'https://status.example.com/incidents/1',
      createdAt: '2026-11-23T10:00:00Z',
      componentIds: [US_CHAT],
      updates: [{ id: 'u1', status: 'identified', body: 'Chat is slow.', at: '2026-11-23T10:05:00Z' }],
    },
  };
}

function componentsSample(): Json {
  return {
    page: { id: HOSTILE_PAGE, name: 'Hostile page', url: 'https://status.example.com' },
    components: [
      { id: 'hxgrp', name: 'Region', group: true, components: ['hxcmp'] },
      { id: 'hxcmp', name: 'Component', status: 'operational', group_id: 'hxgrp' },
    ],
  };
}

/** A form with nothing but its CSRF token: the console's buttons that act (sign out, remove). */
const emptyForm: FormBody = { kind: 'form', sample: () => ({}), strict: [], required: [] };

const profiles: Record<string, Profile> = {
  'POST /v1/webhooks/statuspage/{token}': {
    auth: 'webhook',
    path: { token: () => LOCAL_DEFAULTS.WEBHOOK_TOKEN },
    body: { kind: 'json', schema: StatuspageWebhook, sample: webhookSample },
    documents: true,
  },
  'POST /v1/webhooks/instatus/{token}': {
    auth: 'webhook',
    path: { token: () => LOCAL_DEFAULTS.WEBHOOK_TOKEN },
    body: { kind: 'json', schema: InstatusWebhook, sample: () => vendorSample(instatusIncident) },
    documents: true,
  },
  'POST /v1/webhooks/betterstack/{token}': {
    auth: 'webhook',
    path: { token: () => LOCAL_DEFAULTS.WEBHOOK_TOKEN },
    body: { kind: 'json', schema: BetterStackWebhook, sample: () => vendorSample(betterStackIncident) },
    documents: true,
  },
  'POST /v1/incidents': {
    auth: 'admin',
    body: { kind: 'json', schema: GenericIncident, sample: genericIncidentSample },
    documents: true,
  },
  'GET /v1/calendar': {
    auth: 'none',
    body: { kind: 'none' },
    query: {
      incident: { valid: () => fx.incidentId, strict: true },
      sig: {
        valid: () => calendarSignature(stack.env.LINK_SIGNING_SECRET ?? '', fx.incidentId),
        strict: true,
      },
    },
  },
  'GET /v1/incidents': {
    auth: 'admin',
    body: { kind: 'none' },
    query: { pageId: { valid: () => PAGE_ID }, status: { strict: true }, ...cursorAndLimit },
  },
  'GET /v1/incidents/{id}': {
    auth: 'admin',
    body: { kind: 'none' },
    path: { id: () => encodeURIComponent(fx.apiIncidentId) },
  },
  'PATCH /v1/incidents/{id}': {
    auth: 'admin',
    path: { id: () => encodeURIComponent(fx.apiIncidentId) },
    body: { kind: 'json', schema: IncidentPatch, sample: () => ({ name: 'Chat delayed', impact: 'major' }) },
  },
  'POST /v1/incidents/{id}/updates': {
    auth: 'admin',
    path: { id: () => encodeURIComponent(fx.apiIncidentId) },
    body: {
      kind: 'json',
      schema: NewIncidentUpdate,
      sample: () => ({
        status: 'monitoring',
        body: 'A fix is out.',
        at: '2026-11-23T10:30:00Z',
        notify: true,
        components: [US_CHAT, { region: 'Prod1 (US)', name: 'Channel - Chat' }],
      }),
    },
    documents: true,
  },
  'POST /v1/incidents/{id}/postmortem': {
    auth: 'admin',
    path: { id: () => encodeURIComponent(fx.apiIncidentId) },
    body: {
      kind: 'json',
      schema: NewPostmortem,
      sample: () => ({ body: 'What happened.', publishedAt: '2026-11-24T09:00:00Z', notify: true }),
    },
    documents: true,
  },
  'PUT /v1/admin/pages/{pageId}/components': {
    auth: 'admin',
    path: { pageId: () => HOSTILE_PAGE },
    body: { kind: 'json', schema: ComponentsJson, sample: componentsSample },
    documents: true,
  },
  'POST /v1/admin/subscribers': {
    auth: 'admin',
    body: {
      kind: 'json',
      schema: CreateSubscriberInput,
      sample: () => ({
        email: corpusEmail('created'),
        topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
        confirmed: true,
        level: 'all',
      }),
      emails: ['email'],
      variants: [
        {
          label: 'webhook',
          schema: CreateEndpointSubscriberInput,
          sample: () => ({
            channel: { type: 'webhook', url: corpusHook('created'), format: 'v1' },
            ownerEmail: corpusEmail('hook-owner'),
            topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
            confirmed: true,
            level: 'all',
          }),
          emails: ['ownerEmail'],
          urls: ['channel.url'],
        },
      ],
    },
  },
  'GET /v1/admin/subscribers': {
    auth: 'admin',
    body: { kind: 'none' },
    query: {
      email: {},
      status: { strict: true },
      pageId: {},
      groupId: {},
      componentId: {},
      ...cursorAndLimit,
    },
  },
  'GET /v1/admin/subscribers/export': { auth: 'admin', body: { kind: 'none' }, query: cursorAndLimit },
  'POST /v1/admin/subscribers/import': {
    auth: 'admin',
    body: { kind: 'csv' },
    query: { dryRun: { valid: () => 'true', strict: true } },
    documents: true,
  },
  'GET /v1/admin/subscribers/{id}': {
    auth: 'admin',
    body: { kind: 'none' },
    path: { id: () => fx.subscriberId },
  },
  'PATCH /v1/admin/subscribers/{id}': {
    auth: 'admin',
    path: { id: () => fx.subscriberId },
    body: {
      kind: 'json',
      schema: ChangeSubscriberInput,
      sample: () => ({ topics: [{ pageId: PAGE_ID, componentId: US_CHAT }], level: 'all' }),
    },
  },
  'DELETE /v1/admin/subscribers/{id}': { auth: 'admin', body: { kind: 'none' }, acts: true },
  // The corpus's subscriber is an address's: each answers that it is not a webhook.
  'GET /v1/admin/subscribers/{id}/endpoint': {
    auth: 'admin',
    body: { kind: 'none' },
    path: { id: () => fx.subscriberId },
  },
  'POST /v1/admin/subscribers/{id}/endpoint/test': { auth: 'admin', body: { kind: 'none' }, acts: true },
  'POST /v1/admin/subscribers/{id}/endpoint/resume': { auth: 'admin', body: { kind: 'none' }, acts: true },
  'GET /v1/admin/subscribers/{id}/deliveries': {
    auth: 'admin',
    body: { kind: 'none' },
    path: { id: () => fx.subscriberId },
    query: cursorAndLimit,
    unknownIdsListed: true,
  },
  'GET /v1/admin/incidents/{id}': {
    auth: 'admin',
    body: { kind: 'none' },
    path: { id: () => encodeURIComponent(fx.incidentId) },
  },
  'GET /v1/admin/suppressions': { auth: 'admin', body: { kind: 'none' }, query: cursorAndLimit },
  'GET /v1/admin/suppressions/{id}': {
    auth: 'admin',
    body: { kind: 'none' },
    path: { id: () => encodeURIComponent(fx.suppressed) },
  },
  'POST /v1/admin/subscribers/reindex': {
    auth: 'admin',
    body: { kind: 'json', schema: ReindexInput, sample: () => ({ limit: 10 }) },
  },
  'POST /v1/admin/suppressions': {
    auth: 'admin',
    body: {
      kind: 'json',
      schema: SuppressionInput,
      sample: () => ({ email: corpusEmail('suppressed'), reason: 'asked us to stop' }),
      emails: ['email'],
    },
  },
  'DELETE /v1/admin/suppressions/{id}': { auth: 'admin', body: { kind: 'none' }, acts: true },
  'GET /v1/admin/keys': { auth: 'admin', body: { kind: 'none' } },
  'GET /v1/admin/backlog': { auth: 'admin', body: { kind: 'none' } },
  'POST /v1/admin/keys': {
    auth: 'admin',
    body: {
      kind: 'json',
      schema: CreateApiKeyInput,
      sample: () => ({ name: 'corpus key', scopes: ['read'] }),
    },
  },
  'DELETE /v1/admin/keys/{id}': { auth: 'admin', body: { kind: 'none' }, acts: true },
  'POST /v1/admin/sessions': { auth: 'admin', body: { kind: 'none' }, acts: true },
  'GET /v1/admin/sessions/current': { auth: 'admin', body: { kind: 'none' } },
  'DELETE /v1/admin/sessions/current': { auth: 'admin', body: { kind: 'none' }, acts: true },
  'GET /v1/admin/audit': {
    auth: 'admin',
    body: { kind: 'none' },
    query: { month: { strict: true }, ...cursorAndLimit },
  },
  'GET /subscribe': {
    auth: 'none',
    body: { kind: 'none' },
    query: { page: { valid: () => PAGE_ID, strict: true } },
  },
  'GET /subscribe/embed': {
    auth: 'none',
    body: { kind: 'none' },
    query: { page: { valid: () => PAGE_ID, strict: true } },
  },
  'POST /subscribe': {
    auth: 'none',
    body: {
      kind: 'form',
      sample: () => ({ page: PAGE_ID, email: corpusEmail('form'), topic: [topicKey], level: 'all' }),
      strict: ['page', 'email', 'topic', 'level'],
      required: ['page', 'email', 'topic'],
      emails: ['email'],
    },
  },
  'GET /follow': {
    auth: 'none',
    body: { kind: 'none' },
    query: { incident: { valid: () => fx.incidentId, strict: true } },
  },
  'POST /follow': {
    auth: 'none',
    body: {
      kind: 'form',
      sample: () => ({ incident: fx.incidentId, email: corpusEmail('follow-form') }),
      strict: ['incident', 'email'],
      required: ['incident', 'email'],
      emails: ['email'],
    },
  },
  'POST /v1/incidents/{id}/followers': {
    auth: 'none',
    path: { id: () => encodeURIComponent(fx.incidentId) },
    body: {
      kind: 'json',
      schema: FollowInput,
      sample: () => ({ email: corpusEmail('follow-api') }),
      emails: ['email'],
    },
  },
  'POST /v1/subscriptions': {
    auth: 'none',
    body: {
      kind: 'json',
      schema: SubscribeInput,
      sample: () => ({
        email: corpusEmail('api'),
        topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
        level: 'all',
      }),
      emails: ['email'],
      variants: [
        {
          label: 'webhook',
          schema: EndpointSubscribeInput,
          sample: () => ({
            channel: { type: 'webhook', url: corpusHook('api'), format: 'v1' },
            ownerEmail: corpusEmail('hook-api'),
            topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
            level: 'all',
          }),
          emails: ['ownerEmail'],
          urls: ['channel.url'],
        },
      ],
    },
  },
  'GET /v1/confirm': { auth: 'none', body: { kind: 'none' }, query: manage },
  'POST /v1/confirm': { auth: 'none', body: { kind: 'none' }, query: manage, acts: true },
  'GET /v1/unsubscribe': { auth: 'none', body: { kind: 'none' }, query: manage },
  'POST /v1/unsubscribe': { auth: 'none', body: { kind: 'none' }, query: manage, acts: true },
  'GET /v1/preferences': { auth: 'none', body: { kind: 'none' }, query: manage },
  'POST /v1/preferences': {
    auth: 'none',
    query: manage,
    body: {
      kind: 'form',
      sample: () => ({ action: 'save', topic: [topicKey], level: 'all' }),
      strict: ['action', 'topic', 'level', 'remove'],
      required: ['topic'],
    },
  },
  'PUT /v1/preferences': {
    auth: 'none',
    query: manage,
    body: {
      kind: 'json',
      schema: PreferencesUpdate,
      sample: () => ({ level: 'all', removeTopics: [`C#${PAGE_ID}#nothing-followed`] }),
    },
  },
  'GET /v1/catalog': { auth: 'none', body: { kind: 'none' } },
  'GET /v1/openapi.json': { auth: 'none', body: { kind: 'none' } },
  // A region or component a page does not have is a 404 that names it.
  'GET /feeds/{feed}': {
    auth: 'none',
    body: { kind: 'none' },
    path: { feed: () => `${PAGE_ID}.atom` },
    query: { region: { strict: true }, component: { strict: true } },
  },
  'GET /assets/{name}': {
    auth: 'none',
    body: { kind: 'none' },
    path: { name: () => 'site.css' },
    query: { v: {} },
  },
  'GET /console': { auth: 'console', body: { kind: 'none' }, query: { 'signed-out': {} } },
  'POST /console/sign-in': {
    auth: 'console-origin',
    body: {
      kind: 'form',
      sample: () => ({ key: LOCAL_DEFAULTS.ADMIN_API_KEY }),
      strict: ['key'],
      required: ['key'],
    },
  },
  'POST /console/sign-out': { auth: 'console', body: emptyForm, acts: true },
  'GET /console/subscribers': {
    auth: 'console',
    body: { kind: 'none' },
    query: { email: {}, status: { strict: true }, cursor: { strict: true }, done: {} },
  },
  'POST /console/subscribers': {
    auth: 'console',
    body: {
      kind: 'form',
      sample: () => ({ email: corpusEmail('console'), topic: [topicKey], level: 'all', confirmed: 'true' }),
      strict: ['email', 'topic', 'level'],
      required: ['email', 'topic'],
      emails: ['email'],
    },
  },
  'GET /console/subscribers/{id}': {
    auth: 'console',
    body: { kind: 'none' },
    path: { id: () => fx.subscriberId },
    query: { done: {}, history: { strict: true } },
  },
  'POST /console/subscribers/{id}': {
    auth: 'console',
    path: { id: () => fx.subscriberId },
    body: {
      kind: 'form',
      sample: () => ({ action: 'save', topic: [topicKey], level: 'all' }),
      strict: ['action', 'topic', 'level'],
      required: ['action', 'topic'],
    },
  },
  'GET /console/subscribers/{id}/remove': {
    auth: 'console',
    body: { kind: 'none' },
    path: { id: () => fx.subscriberId },
  },
  'POST /console/subscribers/{id}/remove': { auth: 'console', body: emptyForm, acts: true },
  'GET /console/suppressions': {
    auth: 'console',
    body: { kind: 'none' },
    query: { cursor: { strict: true }, done: {} },
  },
  'POST /console/suppressions': {
    auth: 'console',
    body: {
      kind: 'form',
      sample: () => ({ action: 'add', email: corpusEmail('console-suppressed'), reason: 'asked' }),
      strict: ['action', 'email'],
      required: ['action', 'email'],
      emails: ['email'],
      free: ['reason'],
    },
  },
  'GET /console/import': { auth: 'console', body: { kind: 'none' } },
  'POST /console/import': {
    auth: 'console',
    body: { kind: 'csv' },
    query: { dryRun: { valid: () => 'true', strict: true } },
    documents: true,
  },
  'GET /console/export': { auth: 'console', body: { kind: 'none' } },
  'GET /console/incidents': { auth: 'console', body: { kind: 'none' }, query: { id: {} } },
  'GET /console/incidents/{id}': {
    auth: 'console',
    body: { kind: 'none' },
    path: { id: () => encodeURIComponent(fx.incidentId) },
  },
  'GET /console/pages': { auth: 'console', body: { kind: 'none' } },
  'POST /console/pages': {
    auth: 'console',
    body: {
      kind: 'form',
      sample: () => ({
        page: `${HOSTILE_PAGE}i`,
        name: 'Hostile Instatus page',
        components: JSON.stringify([{ id: 'hxinstatus', name: 'Component', status: 'OPERATIONAL' }]),
      }),
      strict: ['page', 'components'],
      required: ['page', 'components'],
      free: ['name'],
    },
    documents: true,
  },
  'GET /console/{proxy+}': { auth: 'console', body: { kind: 'none' }, path: { proxy: () => 'nothing-here' } },
  'GET /v1/health': { auth: 'none', body: { kind: 'none' } },
};

const routes: HttpRoute[] = Object.values(functionSpecs).flatMap((spec) =>
  'routes' in spec ? [...spec.routes] : [],
);

/** Page routes answer a browser with a page; every other route answers JSON whatever is asked. */
const isPage = (route: HttpRoute) =>
  /^\/(subscribe|console)(\/|$)/.test(route.path) ||
  (['/v1/confirm', '/v1/unsubscribe', '/v1/preferences'].includes(route.path) &&
    key(route) !== 'PUT /v1/preferences');

// ---------------------------------------------------------------------------------------------------
// Cases

type Group =
  | 'methods'
  | 'query strings'
  | 'paths'
  | 'credentials'
  | 'broken JSON'
  | 'wrong shapes'
  | 'encodings'
  | 'text fields'
  | 'email addresses'
  | 'endpoint URLs'
  | 'sizes'
  | 'content types'
  | 'forms'
  | 'CSV'
  | 'accepted hostile text';

interface Case {
  group: Group;
  route: HttpRoute;
  name: string;
  method: string;
  /** Path and query, as sent (already URL-encoded). */
  url: string;
  headers: Record<string, string>;
  body?: string | Bytes;
  /** `refused`: a 4xx; `answered`: anything but a 5xx (a GET that may well succeed). */
  expect: 'refused' | 'answered';
  /** What the JSON error must name: a field path (`body.email`), or a word of its message. */
  names?: string | RegExp;
  /** The API Gateway itself answers (no route matched, body over its limit): its own JSON shape. */
  gateway?: boolean;
  /** Sent alone on a connection of its own: the gateway may close it rather than read 11 MB. */
  alone?: boolean;
  /** Why this case may still answer 5xx: a cause outside the HTTP layer, reported, not yet fixed. */
  known?: string;
}

const clone = <T>(value: T): T => structuredClone(value);

function setAt(target: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Every value in a JSON document with its path (an array by its first element only). */
function nodes(
  value: unknown,
  path: Array<string | number> = [],
): Array<{ path: Array<string | number>; value: unknown }> {
  const here = path.length ? [{ path, value }] : [];
  if (Array.isArray(value)) return value.length ? [...here, ...nodes(value[0], [...path, 0])] : here;
  if (value && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => nodes(v, [...path, k]))];
  return here;
}

/** A value of another JSON type than `value`, that no lenient schema (nullish, passthrough) would take. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return 'forty-two';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return { not: 'a list' };
  if (value && typeof value === 'object') return ['not', 'an', 'object'];
  return { unexpected: true };
}

const fieldName = (path: readonly (string | number)[]) => ['body', ...path].join('.');

function fill(route: HttpRoute, profile: Profile, override: Record<string, string> = {}): string {
  return route.path.replace(
    /\{(\w+)\+?\}/g,
    (_, name: string) => override[name] ?? profile.path?.[name]?.() ?? 'x',
  );
}

function queryString(profile: Profile, override: Record<string, string> = {}): string {
  const parts: string[] = [];
  for (const [name, param] of Object.entries(profile.query ?? {})) {
    if (name in override) continue;
    if (param.valid) parts.push(`${name}=${encodeURIComponent(param.valid())}`);
  }
  for (const [name, value] of Object.entries(override)) parts.push(`${encodeURIComponent(name)}=${value}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function credentials(route: HttpRoute, profile: Profile): Record<string, string> {
  const write = route.method !== 'GET';
  switch (profile.auth) {
    case 'admin':
      return { authorization: `Bearer ${LOCAL_DEFAULTS.ADMIN_API_KEY}` };
    case 'console':
      return {
        cookie: `console_session=${fx.consoleToken}`,
        ...(write ? { origin: stack.apiUrl, 'x-csrf-token': csrfToken(fx.consoleToken) } : {}),
      };
    case 'console-origin':
      return { origin: stack.apiUrl };
    default:
      return {};
  }
}

const formBody = (form: Form) =>
  new URLSearchParams(
    Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
  ).toString();
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A console form carries its CSRF token as a field, as the pages' forms do. */
const withCsrf = (profile: Profile, form: Form): Form =>
  profile.auth === 'console' ? { csrf: csrfToken(fx.consoleToken), ...form } : form;

/** The body of a request the route takes, with its content type, before anything is made hostile. */
function validBody(profile: Profile): { body?: string; headers?: Record<string, string> } {
  switch (profile.body.kind) {
    case 'json':
      return { body: JSON.stringify(profile.body.sample()), headers: { 'content-type': JSON_TYPE } };
    case 'form':
      return { body: formBody(withCsrf(profile, profile.body.sample())), headers: { 'content-type': FORM } };
    case 'csv':
      return { body: 'email,page,region,component\n', headers: { 'content-type': 'text/csv' } };
    default:
      return {};
  }
}

function casesFor(route: HttpRoute, profile: Profile): Case[] {
  const cases: Case[] = [];
  const base = fill(route, profile);
  const query = queryString(profile);
  const auth = credentials(route, profile);
  const add = (c: Omit<Case, 'route' | 'method' | 'url' | 'headers'> & Partial<Case>) =>
    cases.push({
      route,
      method: route.method,
      url: `${base}${query}`,
      ...c,
      headers: { ...auth, ...c.headers },
    });
  const get = route.method === 'GET';

  // Query strings: each parameter the route reads, and one it does not, hostile.
  const params = Object.entries(profile.query ?? {}).filter(([, p]) => p.strict || get);
  for (const [name, param] of [...params, ...(get ? [['unknown', {}] as const] : [])]) {
    for (const value of QUERY_VALUES) {
      add({
        group: 'query strings',
        name: `${name}=${value.slice(0, 40)}`,
        url: `${base}${queryString(profile, { [name]: value })}`,
        expect: (param as QueryParam).strict ? 'refused' : 'answered',
        ...validBody(profile),
      });
    }
  }
  // A cursor this API never returned, shaped like one (base64url JSON of an object).
  if (profile.query?.cursor || profile.query?.history) {
    const name = profile.query.cursor ? 'cursor' : 'history';
    for (const key of [{ pk: 'x' }, { pk: 'x', sk: 'y', topic: 'z' }, { pk: 1, sk: {} }, { a: 'b' }]) {
      const forged = Buffer.from(JSON.stringify(key)).toString('base64url');
      add({
        group: 'query strings',
        name: `forged ${name} ${JSON.stringify(key)}`,
        url: `${base}${queryString(profile, { [name]: forged })}`,
        expect: 'refused',
        names: name === 'history' ? /cursor/ : 'cursor',
      });
    }
  }

  // Paths: every parameter unknown or hostile (a route that acts is only ever sent ids it cannot find).
  for (const name of [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] as string)) {
    for (const value of [
      ...PATH_VALUES,
      ...(name === 'proxy' ? [`a/b/${encodeURIComponent(MARKUP)}`] : []),
    ]) {
      add({
        group: 'paths',
        name: `{${name}} = ${value.slice(0, 40)}`,
        url: `${fill(route, profile, { [name]: value })}${query}`,
        expect: profile.unknownIdsListed ? 'answered' : 'refused',
        ...validBody(profile),
      });
    }
  }

  // Credentials: hostile keys and cookies are refused like missing ones.
  if (profile.auth === 'admin') {
    for (const value of [
      `Bearer ${MARKUP}`,
      `Bearer ${'x'.repeat(6000)}`,
      'Bearer snk_%ff%fe',
      `Bearer\t${LOCAL_DEFAULTS.ADMIN_API_KEY}`,
    ]) {
      add({
        group: 'credentials',
        name: `authorization ${value.slice(0, 30)}`,
        headers: { authorization: value },
        expect: 'refused',
      });
    }
  }
  if (profile.auth === 'console' && route.path !== '/console') {
    for (const value of [
      encodeURIComponent(MARKUP),
      '%ff%fe',
      'x'.repeat(3000),
      `sns_${'0'.repeat(12)}_${'0'.repeat(64)}`,
    ]) {
      add({
        group: 'credentials',
        name: `cookie ${value.slice(0, 30)}`,
        headers: { cookie: `console_session=${value}` },
        expect: 'refused',
      });
    }
    if (!get) {
      // The token as a form's field, or as console.js's header for a CSV part.
      const valid = validBody(profile);
      for (const [label, token] of [
        ['no CSRF token', undefined],
        ['a forged CSRF token', MARKUP],
      ] as const) {
        const form = profile.body.kind === 'form' ? profile.body.sample() : undefined;
        add({
          group: 'credentials',
          name: label,
          expect: 'refused',
          ...(form
            ? {
                body: formBody(token ? { ...form, csrf: token } : form),
                headers: { 'content-type': FORM, 'x-csrf-token': '' },
              }
            : { ...valid, headers: { ...valid.headers, 'x-csrf-token': token ?? '' } }),
        });
      }
    }
  }

  // Any body just over the route's own limit, whatever the route does with it, is refused unread (a
  // document route's limit is the gateway's own: gatewayLimitCases).
  if (!get && !profile.documents) {
    const limit = BODY_LIMITS.default;
    const type = { json: JSON_TYPE, form: FORM, csv: 'text/csv', none: JSON_TYPE }[profile.body.kind];
    add({
      group: 'sizes',
      name: `a body of ${inKilobytes(limit + KB)}, over the route's ${inKilobytes(limit)}`,
      body: type === FORM ? `padding=${'p'.repeat(limit + KB)}` : `"${'p'.repeat(limit + KB)}"`,
      headers: { 'content-type': type },
      expect: 'refused',
      names: 'body',
    });
  }

  if (profile.acts) return cases;
  const body = profile.body;
  if (body.kind === 'json') {
    jsonCases(profile, body, add);
    for (const { label, ...variant } of body.variants ?? [])
      jsonCases(profile, { kind: 'json', ...variant }, (c) => add({ ...c, name: `${label}: ${c.name}` }));
  }
  if (body.kind === 'form') formCases(profile, body, add);
  if (body.kind === 'csv') csvCases(profile, add);
  return cases;
}

type Add = (c: Omit<Case, 'route' | 'method' | 'url' | 'headers'> & Partial<Case>) => void;

function jsonCases(profile: Profile, body: JsonBody, add: Add): void {
  const json = (name: string, group: Group, text: string | Bytes, extra: Partial<Case> = {}) =>
    add({ group, name, body: text, headers: { 'content-type': JSON_TYPE }, expect: 'refused', ...extra });
  /** A document the route's schema takes is not bad input: only the ones it refuses are sent as such. */
  const refusedBySchema = (document: unknown) => !body.schema.safeParse(document).success;

  for (const text of ['{', '{"a":', "{'a':1}", '{"a":1}}', '{"a":1,}', 'NaN', '\u0000', '{"a":1}\n{"b":2}']) {
    json(`broken JSON ${JSON.stringify(text)}`, 'broken JSON', text, { names: /JSON/ });
  }
  json('no body at all', 'broken JSON', '', { names: 'body' });
  for (const text of ['[]', '"a string"', 'null', '42', 'true', '[{"email":"a@example.com"}]']) {
    json(`a JSON ${text}`, 'wrong shapes', text, { names: 'body' });
  }
  json('{}', 'wrong shapes', '{}', { names: 'body' });
  json('10,000 nested arrays', 'wrong shapes', deepArrays(10_000), { names: 'body' });
  json('10,000 nested objects', 'wrong shapes', deepObjects(10_000), { names: 'body' });

  // Each document starts from a fresh sample: its own incident id, so one case cannot overwrite another's.
  const sample = body.sample();
  const fresh = () => body.sample();
  const fields = nodes(sample);
  for (const field of Object.keys(sample)) {
    const document = fresh();
    delete document[field];
    if (refusedBySchema(document))
      json(`without ${field}`, 'wrong shapes', JSON.stringify(document), {
        names: new RegExp(`^body\\.${field}$|\\b${field}\\b`),
      });
  }
  for (const { path, value } of fields) {
    for (const replacement of [wrongType(value), null, JSON.parse(deepArrays(1000))]) {
      const document = fresh();
      setAt(document, path, replacement);
      if (!refusedBySchema(document)) continue;
      json(
        `${path.join('.')} = ${JSON.stringify(replacement).slice(0, 20)}`,
        'wrong shapes',
        JSON.stringify(document),
        {
          names: fieldName(path),
        },
      );
    }
  }

  // Text fields: hostile text must be refused where the schema does not take it; taken, it is escaped later.
  const strings = fields.filter((f) => typeof f.value === 'string');
  for (const { path } of strings) {
    const document = fresh();
    setAt(document, path, HOSTILE_TEXT);
    if (refusedBySchema(document))
      json(`${path.join('.')} with CR/LF and markup`, 'text fields', JSON.stringify(document), {
        names: fieldName(path),
      });
  }
  const everywhere = fresh();
  for (const { path } of strings) {
    const document = clone(everywhere);
    setAt(document, path, `${HOSTILE_TEXT}${path.join('.')}`);
    if (!refusedBySchema(document)) setAt(everywhere, path, `${HOSTILE_TEXT}${path.join('.')}`);
  }
  json('every text field the schema takes, hostile', 'accepted hostile text', JSON.stringify(everywhere), {
    expect: 'answered',
  });
  json(
    'a deep object in an unknown field',
    'accepted hostile text',
    JSON.stringify({ ...body.sample(), extra: JSON.parse(deepObjects(100)) }),
    { expect: 'answered' },
  );
  json(
    '__proto__ in the body',
    'accepted hostile text',
    JSON.stringify(body.sample()).replace(/^\{/, '{"__proto__":{"admin":true,"status":"confirmed"},'),
    { expect: 'answered' },
  );

  for (const emailPath of body.emails ?? []) {
    for (const email of INVALID_EMAILS) {
      const document = fresh();
      setAt(document, emailPath.split('.'), email);
      json(
        `${emailPath} = ${JSON.stringify(email.slice(0, 30))}${email.length > 30 ? ` (${email.length} characters)` : ''}`,
        'email addresses',
        JSON.stringify(document),
        {
          names: email.length > 100 * KB ? /body|email/ : fieldName(emailPath.split('.')),
        },
      );
    }
  }

  // Doors into our own network, and URLs that are no URL: refused before any connection.
  for (const urlPath of body.urls ?? []) {
    for (const url of HOSTILE_URLS) {
      const document = fresh();
      setAt(document, urlPath.split('.'), url);
      // Named as the schema names it, or as the check does once the schema took it (`channel.url`).
      json(`${urlPath} = ${JSON.stringify(url.slice(0, 40))}`, 'endpoint URLs', JSON.stringify(document), {
        names: new RegExp(`\\b${urlPath.replaceAll('.', '\\.')}\\b`),
      });
    }
  }

  // Sizes: each text field over a DynamoDB item (400 KB); an unknown field as large; the whole body over
  // the gateway's limit.
  // A document route reads bodies this large: a field its schema takes (an unknown one, say) is then
  // accepted, and must be stored within an item or not at all.
  const oversized = (name: string, document: unknown, path: Array<string | number>) =>
    refusedBySchema(document) || !profile.documents
      ? json(name, 'sizes', JSON.stringify(document), { names: fieldName(path) })
      : json(name, 'accepted hostile text', JSON.stringify(document), { expect: 'answered' });
  // 3 KB is over any DynamoDB key (2 KB, a sort key 1 KB): an id that long must not reach a lookup.
  for (const { path } of strings) {
    for (const size of [3, 450]) {
      const document = fresh();
      setAt(document, path, 'y'.repeat(size * KB));
      oversized(`${path.join('.')} of ${size} KB`, document, path);
    }
  }
  oversized('an unknown field of 450 KB', { ...fresh(), padding: 'z'.repeat(450 * KB) }, ['padding']);

  // Encodings: not UTF-8, invalid UTF-8 inside strings, a byte order mark.
  const text = JSON.stringify(sample);
  json(
    'UTF-16 with a byte order mark',
    'encodings',
    bytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])),
    { names: /JSON/ },
  );
  json(
    'bytes that are not UTF-8 outside strings',
    'encodings',
    bytes(Buffer.concat([Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from(text)])),
    { names: /JSON/ },
  );
  for (const { path } of strings) {
    const marker = `__bytes_${path.join('_')}__`;
    const document = fresh();
    setAt(document, path, marker);
    const raw = Buffer.from(
      Buffer.from(JSON.stringify(document))
        .toString('latin1')
        .replace(marker, '\xff\xfe\xc0\xbc\xed\xa0\x80'),
      'latin1',
    );
    const decoded = JSON.parse(raw.toString('utf8'));
    json(
      `${path.join('.')} not valid UTF-8`,
      refusedBySchema(decoded) ? 'encodings' : 'accepted hostile text',
      bytes(raw),
      refusedBySchema(decoded) ? { names: fieldName(path) } : { expect: 'answered' },
    );
  }

  // Content types: the JSON sent as something else, and a form sent where JSON is expected.
  for (const type of ['text/plain', 'text/csv', 'application/xml', 'multipart/form-data; boundary=x', FORM]) {
    add({
      group: 'content types',
      name: `JSON as ${type}`,
      body: text,
      headers: { 'content-type': type },
      expect: 'refused',
      names: 'content-type',
    });
  }
  add({
    group: 'content types',
    name: 'a form where JSON is expected',
    body: formBody(Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, String(v)]))),
    headers: { 'content-type': FORM },
    expect: 'refused',
    names: 'content-type',
  });
}

function formCases(profile: Profile, body: FormBody, add: Add): void {
  const post = (group: Group, name: string, form: Form | string, extra: Partial<Case> = {}) =>
    add({
      group,
      name,
      body: typeof form === 'string' ? form : formBody(withCsrf(profile, form)),
      headers: { 'content-type': FORM },
      expect: 'refused',
      ...extra,
    });
  const sample = body.sample();
  for (const field of body.strict) {
    for (const [label, value] of [
      ['with CR/LF and markup', HOSTILE_TEXT],
      ['not valid UTF-8', '\ufffd\ufffd'],
      ['of 40 KB', 'q'.repeat(40 * KB)],
    ] as const) {
      post(
        'forms',
        `${field} ${label}`,
        { ...sample, [field]: value },
        { names: field.replace('topic', 'topics') },
      );
    }
  }
  for (const field of body.required) {
    const { [field]: _, ...without } = sample;
    post('forms', `without ${field}`, without, { names: field.replace('topic', 'topics') });
  }
  for (const field of body.emails ?? []) {
    for (const email of INVALID_EMAILS) {
      post('email addresses', `${field} = ${JSON.stringify(email.slice(0, 30))}`, {
        ...sample,
        [field]: email,
      });
    }
  }
  if (body.free?.length) {
    const hostile = Object.fromEntries(body.free.map((f) => [f, HOSTILE_TEXT]));
    post(
      'accepted hostile text',
      'every free text field hostile',
      { ...sample, ...hostile },
      { expect: 'answered' },
    );
  }
  const encoded = formBody(withCsrf(profile, sample));
  const lenient = Object.fromEntries(Object.entries(sample).filter(([f]) => !body.strict.includes(f)));
  const broken = body.strict.map((f) => `${f}=%ff%fe%25%E0%A4%A`).join('&');
  post('forms', 'percent-encoding that is not UTF-8', `${formBody(withCsrf(profile, lenient))}&${broken}`);
  post('forms', 'a multipart body without its boundary', encoded, {
    headers: { 'content-type': 'multipart/form-data' },
  });
  post('forms', 'a multipart body that is not one', '--x\r\ngarbage', {
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
  });
  for (const type of [JSON_TYPE, 'text/plain', 'text/csv']) {
    post('content types', `the form as ${type}`, JSON.stringify(withCsrf(profile, sample)), {
      headers: { 'content-type': type },
      names: 'content-type',
    });
  }
  post('content types', 'the form with no content type', '', {
    body: bytes(Buffer.from(encoded)),
    headers: { 'content-type': '' },
    names: 'content-type',
  });
}

function csvCases(profile: Profile, add: Add): void {
  const csv = (name: string, text: string | Bytes, extra: Partial<Case> = {}) =>
    add({
      group: 'CSV',
      name,
      body: text,
      headers: { 'content-type': 'text/csv' },
      expect: 'answered',
      ...extra,
    });
  const header = 'email,page,region,component';
  // Every row is wrong somewhere: the import reports it and stores nothing (and it is a dry run anyway).
  for (const column of [0, 1, 2, 3]) {
    const row = [corpusEmail('csv'), PAGE_ID, 'grp1produs01', US_CHAT];
    row[column] = `"${HOSTILE_TEXT.replaceAll('"', '""')}"`;
    csv(`column ${column + 1} with CR/LF and markup`, `${header}\n${row.join(',')}\n`);
  }
  for (const email of INVALID_EMAILS.slice(1, -1))
    csv(
      `address ${JSON.stringify(email.slice(0, 30))}`,
      `${header}\n"${email.replaceAll('"', '""')}",${PAGE_ID},,${US_CHAT}\n`,
    );
  csv(
    'not valid UTF-8',
    bytes(Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0xff, 0xfe, 0x2c, 0xc0, 0xbc, 0x0a])])),
  );
  csv('=formula cells', `${header}\n=HYPERLINK("http://evil"),${PAGE_ID},,${US_CHAT}\n`);
  csv('a line of 450 KB', `${header}\n${'a'.repeat(450 * KB)}@example.com,${PAGE_ID},,${US_CHAT}\n`);
  csv('5,001 rows', `${header}\n${`nobody@example.com,nope,,nope\n`.repeat(5001)}`, {
    expect: 'refused',
    names: /rows/,
  });
  // The console's import also takes the file as a form's upload.
  const others = profile.auth === 'console' ? [JSON_TYPE] : [JSON_TYPE, FORM];
  for (const type of [...others, 'application/octet-stream', 'image/png']) {
    csv(`the file as ${type}`, `${header}\n`, {
      headers: { 'content-type': type },
      expect: 'refused',
      names: 'content-type',
    });
  }
}

/**
 * Methods no route takes, on every path the routes have. API Gateway answers them itself (`{"message":
 * "Not Found"}`), except a GET under /console, which the console's own catch-all answers in words.
 */
function methodCases(): Case[] {
  const byPath = Map.groupBy(routes, (route) => route.path);
  return [...byPath.entries()].flatMap(([path, onPath]) => {
    const route = onPath[0] as HttpRoute;
    const profile = profiles[key(route)] as Profile;
    const url = fill(route, profile);
    return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND']
      .filter((method) => !onPath.some((r) => r.method === method))
      .map((method) => ({
        group: 'methods' as const,
        route,
        name: `${method} ${path}`,
        method,
        url,
        headers: credentials(route, profile),
        expect: 'refused' as const,
        gateway: true,
      }));
  });
}

/**
 * A body over API Gateway's 10 MB, once per function: the gateway refuses it before any function runs.
 * Locally the stand-in stops reading at 10 MB, answers 413 and may close the connection while the client
 * is still sending (so these go alone, each on a connection of its own).
 */
function gatewayLimitCases(): Case[] {
  return Object.values(functionSpecs).flatMap((spec) => {
    const route = ('routes' in spec ? [...spec.routes] : []).find((r) => r.method !== 'GET');
    if (!route) return [];
    const profile = profiles[key(route)] as Profile;
    return [
      {
        group: 'sizes' as const,
        route,
        name: "a body of 11 MB, over API Gateway's 10 MB",
        method: route.method,
        url: `${fill(route, profile)}${queryString(profile)}`,
        headers: { ...credentials(route, profile), 'content-type': JSON_TYPE },
        body: `"${'g'.repeat(11 * KB * KB)}"`,
        expect: 'refused' as const,
        gateway: true,
        alone: true,
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------------
// Sending and judging

interface Answer {
  status: number;
  type: string;
  text: string;
  headers: Headers;
}

async function send(c: Case, accept: string): Promise<Answer> {
  const headers = Object.fromEntries(
    Object.entries({ accept, ...c.headers }).filter(([, value]) => value !== ''),
  );
  const response = await fetch(`${stack.apiUrl}${c.url}`, {
    method: c.method,
    redirect: 'manual',
    headers,
    ...(c.body !== undefined && c.method !== 'GET' ? { body: c.body } : {}),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
    headers: response.headers,
  };
}

/** What is wrong with an answer, in words; empty when it is as expected. */
function judge(c: Case, accept: 'json' | 'browser', answer: Answer): string[] {
  const problems: string[] = [];
  const { status, type, text } = answer;
  if (status >= 500) return c.known ? [] : [`answered ${status}: ${text.slice(0, 200)}`];
  if (c.expect === 'refused' && (status < 400 || status >= 500))
    problems.push(`answered ${status}, not a refusal`);
  for (const [name, value] of answer.headers) {
    if (/injected|stolen/i.test(`${name}: ${value}`)) problems.push(`a header carries the input: ${name}`);
  }
  if (type.includes('text/html') && RAW_MARKUP.test(text))
    problems.push('markup from the request is not escaped');
  if (status < 400) return problems;
  const wantsJson = accept === 'json' || !isPage(c.route) || c.gateway;
  if (!wantsJson) {
    if (!type.includes('text/html')) problems.push(`a browser got ${type || 'no content type'}, not a page`);
    else if (!/<h1[^>]*>[^<]+/.test(text)) problems.push('the error page has no heading');
    return problems;
  }
  if (!type.includes('application/json'))
    return [...problems, `a JSON client got ${type || 'no content type'}: ${text.slice(0, 120)}`];
  let body: {
    error?: { code?: string; message?: string; details?: Array<{ path: string; message: string }> };
    message?: string;
  };
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `not JSON: ${text.slice(0, 120)}`];
  }
  if (c.gateway && !body.error) {
    // API Gateway's own answer (no route for this method, a body over its 10 MB): `{"message": ...}`.
    if (!body.message) problems.push(`the gateway's answer says nothing: ${text.slice(0, 120)}`);
    return problems;
  }
  const error = body.error;
  if (!error?.code || !error.message)
    return [...problems, `no error code and message: ${text.slice(0, 160)}`];
  if (/^(internal error|bad request|invalid input)$/i.test(error.message))
    problems.push(`an unclear message: ${error.message}`);
  // A refusal of what was sent (400, 413, 415) names the field; a 404 or 401 says so in its message.
  if (c.names && [400, 413, 415].includes(status)) {
    const paths = (error.details ?? []).map((d) => d.path);
    const names = c.names;
    const named =
      (status === 413 && paths.includes('body')) ||
      (typeof names === 'string'
        ? paths.some((p) => p === names || p.endsWith(`.${names}`) || p.startsWith(`${names}.`))
        : [error.message, ...paths, ...(error.details ?? []).map((d) => d.message)].some((s) =>
            names.test(s),
          ));
    if (!named) problems.push(`the error does not name ${names}: ${text.slice(0, 200)}`);
  }
  return problems;
}

/** One request on a connection of its own; `cut` when the server closed it before answering. */
function sendAlone(c: Case, accept: string): Promise<Answer | 'cut'> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      new URL(c.url, stack.apiUrl),
      { method: c.method, agent: false, headers: { accept, ...c.headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            headers: new Headers(response.headers as Record<string, string>),
          }),
        );
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      ['ECONNRESET', 'EPIPE'].includes(error.code ?? '') ? resolve('cut') : reject(error),
    );
    request.end(c.body);
  });
}

async function runCases(cases: readonly Case[], concurrency = 6): Promise<string[]> {
  const problems: string[] = [];
  for (const c of cases.filter((c) => c.alone)) {
    const answer = await sendAlone(c, 'application/json');
    if (answer !== 'cut')
      for (const problem of judge(c, 'json', answer))
        problems.push(`${key(c.route)} [${c.name}]: ${problem}`);
  }
  const queue = cases
    .filter((c) => !c.alone)
    .flatMap((c) => [
      { c, accept: 'json' as const },
      ...(isPage(c.route) && !c.gateway ? [{ c, accept: 'browser' as const }] : []),
    ]);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const { c, accept } = queue[next++] as (typeof queue)[number];
      const header = accept === 'json' ? 'application/json' : 'text/html,application/xhtml+xml';
      try {
        const answer = await send(c, header);
        for (const problem of judge(c, accept, answer))
          problems.push(`${key(c.route)} [${c.name}] (${accept}): ${problem}`);
      } catch (error) {
        problems.push(`${key(c.route)} [${c.name}] (${accept}): the request failed: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Nothing written: every table, item by item

type Snapshot = Map<string, string>;

async function scan(table: string): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function snapshot(): Promise<Snapshot> {
  const items: Snapshot = new Map();
  for (const table of Object.values(stack.tables)) {
    for (const item of await scan(table)) {
      const pk = item.pk?.S ?? '';
      // Rate-limit windows count attempts at subscribing, refused ones too: that is their job.
      if (pk.startsWith('RATE#')) continue;
      // A console session notes when it was last used (at most once a minute), refused request or not.
      const { lastSeenAt: _, ...rest } = item;
      items.set(
        `${table} ${pk} ${item.sk?.S ?? ''}`,
        JSON.stringify(pk.startsWith('SESSION#') ? rest : item),
      );
    }
  }
  return items;
}

function written(before: Snapshot, after: Snapshot, options: { audited?: boolean } = {}): string[] {
  const changes: string[] = [];
  for (const [id, item] of after) {
    if (options.audited && / AUDIT#/.test(id) && !before.has(id)) continue;
    if (!before.has(id)) changes.push(`added ${id}`);
    else if (before.get(id) !== item) changes.push(`changed ${id}`);
  }
  for (const id of before.keys()) if (!after.has(id)) changes.push(`removed ${id}`);
  return changes;
}

// ---------------------------------------------------------------------------------------------------

beforeAll(async () => {
  stack = await startTestStack('hx', {
    env: { SUBSCRIBE_LIMIT_PER_IP: '100000', SUBSCRIBE_LIMIT_PER_ADDRESS: '100000' },
  });
  dynamo = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: localCredentials,
  });

  // Two subscribers: the target of every request about a subscriber (its preferences, its console page),
  // which the accepted group may change; and a recipient nothing changes, which gets the incidents' mail.
  const [subscriber] = await Promise.all(
    ['target', 'recipient'].map(async (label) => {
      const topics = [{ pageId: PAGE_ID, componentId: US_CHAT }];
      return adminCall(stack, 'POST', '/v1/admin/subscribers', {
        email: corpusEmail(label),
        topics,
        confirmed: true,
      });
    }),
  );
  const suppressed = corpusEmail('already-suppressed');
  await adminCall(stack, 'POST', '/v1/admin/suppressions', { email: suppressed });
  const webhook = webhookSample() as { incident: { id: string } };
  await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': JSON_TYPE },
    body: JSON.stringify(webhook),
  });
  const opened = await adminCall(stack, 'POST', '/v1/incidents', genericIncidentSample());
  const signIn = await fetch(`${stack.apiUrl}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': FORM, origin: stack.apiUrl },
    body: formBody({ key: LOCAL_DEFAULTS.ADMIN_API_KEY }),
  });
  const consoleToken = /console_session=([^;]+)/.exec(signIn.headers.getSetCookie().join('\n'))?.[1] ?? '';
  const stored = await snapshot();
  const record = [...stored.values()]
    .map((item) => JSON.parse(item))
    .find((item) => item.id?.S === subscriber?.body.id);
  fx = {
    subscriberId: subscriber?.body.id,
    manageToken: createManageToken(
      stack.env.LINK_SIGNING_SECRET ?? '',
      subscriber?.body.id,
      record?.linkNonce?.S ?? '',
    ),
    incidentId: `statuspage:${PAGE_ID}:${webhook.incident.id}`,
    apiIncidentId: opened.body.incidentId,
    suppressed,
    consoleToken,
  };
  await stack.waitForIdle();
});

afterAll(async () => {
  dynamo?.destroy();
  await stack?.stop();
});

describe('the corpus', () => {
  it('has a profile for every route, and none for a route that is gone', () => {
    const routeKeys = routes.map(key);
    expect(routeKeys.filter((k) => !profiles[k])).toEqual([]);
    expect(Object.keys(profiles).filter((k) => !routeKeys.includes(k))).toEqual([]);
  });
});

describe('hostile requests to every route', () => {
  // Made once, after the fixtures: the cases carry their ids and tokens.
  let corpus: Case[] | undefined;
  const all = () => {
    corpus ??= [
      ...routes.flatMap((route) => casesFor(route, profiles[key(route)] as Profile)),
      ...methodCases(),
      ...gatewayLimitCases(),
    ];
    return corpus;
  };
  const refusalGroups: Group[] = [
    'methods',
    'query strings',
    'paths',
    'credentials',
    'broken JSON',
    'wrong shapes',
    'encodings',
    'text fields',
    'email addresses',
    'endpoint URLs',
    'sizes',
    'content types',
    'forms',
    'CSV',
  ];

  it('gives every route cases of its own', () => {
    const cases = all();
    expect(routes.filter((route) => !cases.some((c) => c.route === route)).map(key)).toEqual([]);
  });

  it.each(refusalGroups)('%s: refused with a 4xx in words, and nothing written', async (group) => {
    const cases = all().filter((c) => c.group === group);
    expect(cases.length).toBeGreaterThan(0);
    const before = await snapshot();
    // Every connection anything in this process tries meanwhile (the stack's, the cases'), answered or
    // not: a URL a case gave must be refused before one is tried to it.
    const remotes = new Set<string>();
    const watch = (message: unknown) => {
      const { socket } = message as { socket: Socket };
      socket.on('connectionAttempt', (ip: string) => remotes.add(ip));
    };
    subscribe('net.client.socket', watch);
    const problems = await runCases(cases).finally(() => unsubscribe('net.client.socket', watch));
    expect([...remotes].filter((address) => address !== '127.0.0.1')).toEqual([]);
    await stack.waitForIdle();
    // An import's report (a dry run, or every row refused) is an answered write: the admin API audits
    // every one, and the audit entry is all it may write.
    const changes = written(before, await snapshot(), { audited: group === 'CSV' });
    expect({ problems, written: changes }).toEqual({ problems: [], written: [] });
  });

  it('accepted hostile text: escaped in every page, never in a mail header', async () => {
    // Every text field hostile at once goes last: the other cases rewrite the same catalog page.
    const cases = all().filter((c) => c.group === 'accepted hostile text');
    const everywhere = cases.filter((c) => c.name.startsWith('every '));
    expect(await runCases(cases.filter((c) => !everywhere.includes(c)))).toEqual([]);
    expect(await runCases(everywhere)).toEqual([]);
    await stack.waitForIdle();
    // The incidents stored with hostile names (the webhook's and the generic API's), and every page that
    // shows what was stored: the catalog's names, a suppression's reason, an incident.
    const incidents = (await scan(stack.tables.incidents))
      .filter((item) => item.sk?.S === 'META' && item.name?.S?.includes('hostile()'))
      .map((item) => item.pk?.S ?? '');
    expect(incidents.length).toBeGreaterThanOrEqual(2);
    const pages = [
      '/console/subscribers',
      '/console/suppressions',
      `/subscribe?page=${HOSTILE_PAGE}`,
      ...incidents.map((id) => `/console/incidents/${encodeURIComponent(id)}`),
    ];
    for (const page of pages) {
      const answer = await fetch(`${stack.apiUrl}${page}`, {
        headers: { cookie: `console_session=${fx.consoleToken}`, accept: 'text/html' },
      });
      const text = await answer.text();
      expect({ page, status: answer.status, raw: RAW_MARKUP.test(text) }).toEqual({
        page,
        status: 200,
        raw: false,
      });
      expect(text, page).toMatch(ESCAPED_MARKUP);
    }
    // The recipient follows the component both hostile incidents affect: their mails went out.
    const mails = await mailTo([corpusEmail('recipient')]);
    expect(mails.filter((mail) => mail.subject.includes('hostile()')).length).toBeGreaterThanOrEqual(2);
    for (const mail of mails) {
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.destination.to).toEqual([corpusEmail('recipient')]);
      for (const header of mail.headers ?? [])
        expect(`${header.name}: ${header.value}`).not.toMatch(/[\r\n]|injected|victim/i);
      expect(mail.body.html).not.toMatch(RAW_MARKUP);
    }
  });
});
