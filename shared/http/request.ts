import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import type { HttpResult } from './respond';

/** What a route's schema sees: the body (JSON, text or a form's fields), path and query parameters. */
export interface RawRequest {
  body: unknown;
  path: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** Header names in lower case, as API Gateway (HTTP API) and the local server give them. */
  headers: Record<string, string | undefined>;
}

export type ParsedEvent<T> = APIGatewayProxyEventV2 & { input: T };

/**
 * How a route's body is read: JSON, text, a browser's form (URL-encoded or multipart), `form-or-text`
 * (a form when the content type says so, else the text: the console's import takes both), or not at all.
 */
export type BodyKind = 'json' | 'text' | 'form' | 'form-or-text' | 'ignore';

/**
 * How large a body a route reads, in bytes. Most routes take forms and small JSON requests; the few that
 * take documents (webhooks, the generic incident API, a catalog import, CSV files) say so.
 */
export const BODY_LIMITS = {
  /** Far above any form or request these routes serve (1,000 ticked topics is about 40 KB), under a DynamoDB item. */
  default: 256 * 1024,
  /** API Gateway's payload limit: a document route reads whatever the gateway passes on. */
  documents: 10 * 1024 * 1024,
} as const;

/** A size in words: `256 KB`, `6 MB`. */
export const inKilobytes = (bytes: number) =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MB`
    : `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KB`;

/**
 * Parses the request with a zod schema before the handler runs: a body over the route's size limit is a
 * 413, a body that is not JSON, or input the schema refuses, is a 400 naming the field, and the handler
 * only ever sees valid input.
 */
export function parseRequest<S extends z.ZodMiniType>(
  schema: S,
  body: BodyKind = 'json',
  maxBodyBytes: number = BODY_LIMITS.default,
): MiddlewareObj<ParsedEvent<z.output<S>>, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const size = bodySize(event);
      if (size > maxBodyBytes) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `the body is ${inKilobytes(size)}: this route takes at most ${inKilobytes(maxBodyBytes)}`,
          [{ path: 'body', message: `at most ${inKilobytes(maxBodyBytes)}` }],
        );
      }
      const raw: RawRequest = {
        body: await readAs(body, event),
        path: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        headers: event.headers ?? {},
      };
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw AppError.fromZod(parsed.error);
      event.input = parsed.data;
    },
  };
}

async function readAs(kind: BodyKind, event: APIGatewayProxyEventV2): Promise<unknown> {
  switch (kind) {
    case 'json':
      return readBody(event);
    case 'text':
      return readText(event);
    case 'form':
      if (!isForm(event)) throw notAForm(event);
      return readForm(event);
    case 'form-or-text':
      if (isForm(event)) return readForm(event);
      if (!TEXT_TYPE.test(event.headers?.['content-type'] ?? '')) throw notAFormOrText(event);
      return readText(event);
    case 'ignore':
      return undefined;
  }
}

/** A path's `{id}`, URL-decoded: the admin API's and the console's routes read their ids with it. */
export const PathId = z.object({
  id: z.pipe(
    z.string().check(z.minLength(1), z.maxLength(1000)),
    z.transform((id, ctx) => {
      try {
        return decodeURIComponent(id);
      } catch {
        z.addIssue(ctx, {
          code: 'custom',
          message: 'This link is broken: the id in it is not valid URL encoding',
        });
        return z.NEVER;
      }
    }),
  ),
});

/** A form field that may repeat (checkboxes): always a list, empty when absent. */
export const formValues = z.pipe(
  z.optional(z.union([z.string(), z.array(z.string())])),
  z.transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
);

/** A form field meant once: a repeated one (a forged or doubled form) counts by its first value. */
export const formValue = z.pipe(
  z.optional(z.union([z.string(), z.array(z.string())])),
  z.transform((value) => (Array.isArray(value) ? value[0] : value)),
);

/** A form field made into what `read` makes of its `formValue` (`(email) => email ?? ''`). */
export const formField = <T>(read: (value: string | undefined, ctx: z.core.ParsePayload) => T) =>
  z.pipe(formValue, z.transform(read));

export type FormFields = Record<string, string | string[]>;

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;
const isForm = (event: APIGatewayProxyEventV2) => FORM_TYPE.test(event.headers?.['content-type'] ?? '');

const TEXT_TYPE = /^text\/(csv|plain)\b/i;

const notAFormOrText = (event: APIGatewayProxyEventV2) =>
  new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    `expected a form or a CSV file, got ${event.headers?.['content-type'] || 'no content type'}`,
    [{ path: 'content-type', message: 'must be a form, text/csv or text/plain' }],
  );

const notAForm = (event: APIGatewayProxyEventV2) =>
  new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    `expected a form, got ${event.headers?.['content-type'] || 'no content type'}`,
    [{ path: 'content-type', message: 'must be application/x-www-form-urlencoded or multipart/form-data' }],
  );

/**
 * A browser's form post, URL-encoded or multipart (a file upload), as fields: a repeated name becomes a
 * list, a file its text. The platform's own parser reads it; nothing here splits multipart by hand. The
 * caller has checked the content type (`isForm`).
 */
async function readForm(event: APIGatewayProxyEventV2): Promise<FormFields> {
  const contentType = event.headers?.['content-type'] ?? '';
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new AppError('VALIDATION', 'the form could not be read', [
      { path: 'body', message: 'not a well-formed form' },
    ]);
  }
  const fields = new Map<string, string | string[]>();
  for (const [name, value] of form.entries()) {
    const text = typeof value === 'string' ? value : await value.text();
    const before = fields.get(name);
    fields.set(name, before === undefined ? text : [...(Array.isArray(before) ? before : [before]), text]);
  }
  return Object.fromEntries(fields);
}

function bodySize(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function readText(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function readBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const contentType = event.headers?.['content-type'] ?? '';
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `expected a JSON body, got ${contentType}`, [
      { path: 'content-type', message: 'must be application/json' },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION', 'body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
}

/**
 * An incident route's `{id}`, URL-decoded: the notifier's id (`api:<page>:<id>`, its colons possibly
 * encoded) or the id it was opened with.
 */
export const IncidentPath = z.object({
  id: z.pipe(PathId.shape.id, z.string().check(z.maxLength(320, 'at most 320 characters'))),
});
