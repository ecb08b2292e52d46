import { describe, expect, it } from 'vitest';
import { functionSpecs } from '../../infra/functions';
import { documentedRoutes, openApiDocument, operations } from '../../shared/http/openapi';

describe('OpenAPI document', () => {
  const doc = openApiDocument('https://status.example.com');

  it('documents exactly the API routes and feeds the functions serve', () => {
    const served = Object.values(functionSpecs).flatMap((spec) =>
      'routes' in spec
        ? spec.routes.filter((r) => /^\/(v1|feeds)\//.test(r.path)).map((r) => `${r.method} ${r.path}`)
        : [],
    );
    expect([...documentedRoutes].sort()).toEqual(served.sort());
  });

  it('takes request schemas from the zod schemas the code parses with', () => {
    const subscribe = doc.paths['/v1/subscriptions']?.post as any;
    const [address, webhook] = subscribe.requestBody.content['application/json'].schema.anyOf;
    expect(address.required).toEqual(expect.arrayContaining(['email', 'topics']));
    expect(address.properties.level.enum).toEqual(['all', 'lifecycle', 'major']);
    expect(webhook.required).toEqual(expect.arrayContaining(['channel', 'ownerEmail', 'topics']));
    // A channel: a webhook (with its format) or a chat platform's incoming webhook.
    const [webhookChannel, chatChannel] =
      webhook.properties.channel.oneOf ?? webhook.properties.channel.anyOf;
    expect(webhookChannel.properties.format.enum).toEqual(['v1', 'statuspage']);
    expect(chatChannel.properties.type.enum).toEqual(['slack', 'teams', 'discord', 'googlechat']);
    // What an endpoint receives: the v1 event, with the Standard Webhooks headers.
    const event = (doc as any).webhooks.statusEvent.post;
    expect(event.parameters.map((p: { name: string }) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(event.requestBody.content['application/json'].schema.properties.type.enum).toContain(
      'incident.update',
    );
    const search = doc.paths['/v1/admin/subscribers']?.get as any;
    expect(search.security).toEqual([{ adminKey: [] }]);
    expect(search.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['email', 'status', 'pageId', 'groupId', 'componentId', 'cursor', 'limit']),
    );
    const email = search.parameters.find((p: { name: string }) => p.name === 'email');
    expect(email.schema.description).toMatch(/whole address.*domain.*start of an address.*`\*part`/);
  });

  it('states how large a body each route takes, and the 413 beyond it', () => {
    const subscribe = (doc.paths['/v1/subscriptions'] as any).post;
    expect(subscribe.requestBody.description).toBe('At most 256 KB; a larger body is refused with 413.');
    expect(subscribe.responses['413'].content['application/json']).toBeDefined();
    const webhook = (doc.paths['/v1/webhooks/statuspage/{token}'] as any).post;
    expect(webhook.requestBody.description).toBe('At most 10 MB; a larger body is refused with 413.');
    expect((doc.paths['/v1/catalog'] as any).get.responses['413']).toBeUndefined();
  });

  it('states the webhook limits, so a sender knows them before a 400 says so', () => {
    const webhook = JSON.stringify((doc.paths['/v1/webhooks/statuspage/{token}'] as any).post.requestBody);
    expect(webhook).toContain('"maxItems":500'); // updates in one webhook
    expect(webhook).toContain('"maxLength":60000'); // an update's body, a postmortem
    expect(webhook).toContain('"maxLength":1000'); // names
  });

  it('gives examples the routes take, and the Idempotency-Key on the incident API’s writes', () => {
    const examples = Object.entries(operations).filter(([, op]) => op.example !== undefined);
    expect(examples.map(([route]) => route)).toEqual(
      expect.arrayContaining([
        'POST /v1/incidents',
        'POST /v1/incidents/{id}/updates',
        'PATCH /v1/incidents/{id}',
      ]),
    );
    for (const [route, op] of examples) expect(op.body?.safeParse(op.example).success, route).toBe(true);
    const update = (doc.paths['/v1/incidents/{id}/updates'] as any).post;
    expect(update.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'Idempotency-Key']);
    expect(update.requestBody.content['application/json'].example.status).toBe('identified');
  });
});
