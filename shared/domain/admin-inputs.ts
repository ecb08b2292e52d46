import { addressOrChannel, ChannelInput } from './endpoint';
import { NotificationLevel } from './levels';
import { normalizeEmail, SubscriberStatus } from './subscriber';
import { TopicInput } from './topics';
import * as z from './zod';

/*
 * What the admin API takes to add, find, change and suppress subscribers: the API's handlers, the
 * console and the CLI's client (adapters/admin-api.ts) all speak these shapes.
 */

export const CreateSubscriberInput = z.object({
  email: z.pipe(z.email().check(z.maxLength(254)), z.transform(normalizeEmail)),
  topics: z.array(TopicInput).check(z.minLength(1), z.maxLength(40)),
  /** true: subscribed on the support team's word; false: the address gets a confirmation mail. */
  confirmed: z._default(z.boolean(), false),
  level: z._default(NotificationLevel, 'all'),
});
export type CreateSubscriberInput = z.output<typeof CreateSubscriberInput>;

export const SubscriberSearch = z.object({
  email: z
    .optional(z.pipe(z.string().check(z.minLength(1), z.maxLength(254)), z.transform(normalizeEmail)))
    .check(
      z.describe(
        'A whole address (that subscriber), a domain (`@example.com`, or `example.com`: every address at it), ' +
          'or the start of an address (`ali`), any case; `*part` finds a part anywhere (a slower scan: a page ' +
          'may come back short, with a cursor to go on)',
      ),
    ),
  status: z.optional(SubscriberStatus),
  pageId: z.optional(z.string().check(z.minLength(1))),
  groupId: z.optional(z.string().check(z.minLength(1))),
  componentId: z.optional(z.string().check(z.minLength(1))),
  host: z
    .optional(
      z.pipe(
        z.string().check(z.trim(), z.minLength(1), z.maxLength(300)),
        z.transform((host) => host.toLowerCase()),
      ),
    )
    .check(
      z.describe(
        "A webhook's host (`hooks.example.com`, with `:port` if not 443): the subscribers of its endpoints",
      ),
    ),
  cursor: z.optional(z.string()),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
});
export type SubscriberSearch = z.output<typeof SubscriberSearch>;

export const ReindexInput = z.strictObject({
  cursor: z.optional(z.string()),
  /** Profiles read per request (each request does a bounded amount of work). */
  limit: z.number().check(z.int(), z.gte(1), z.lte(1000)),
});

export const ChangeSubscriberInput = z
  .object({
    topics: z.optional(z.array(TopicInput).check(z.minLength(1), z.maxLength(40))),
    level: z.optional(NotificationLevel),
    status: z.optional(z.enum(['confirmed', 'unsubscribed'])),
  })
  .check(
    z.refine((change) => Object.keys(change).length > 0, 'nothing to change: give topics, level or status'),
  );
export type ChangeSubscriberInput = z.output<typeof ChangeSubscriberInput>;

export const SuppressionInput = z.object({
  email: z.pipe(z.email().check(z.maxLength(254)), z.transform(normalizeEmail)),
  reason: z._default(z.string().check(z.minLength(1), z.maxLength(500)), 'added by support'),
});

/**
 * A webhook added by support: confirmed outright (support vouches for it; its owner gets the management
 * link by mail), its signing secret answered once.
 */
export const CreateEndpointSubscriberInput = z.object({
  channel: ChannelInput,
  /** Who hears about the endpoint: its management link, and a notice if it is paused. */
  ownerEmail: z.pipe(z.email().check(z.maxLength(254)), z.transform(normalizeEmail)),
  topics: z.array(TopicInput).check(z.minLength(1), z.maxLength(40)),
  confirmed: z.literal(true, {
    error: 'a webhook added by support is confirmed outright: set confirmed to true',
  }),
  level: z._default(NotificationLevel, 'all'),
});
export type CreateEndpointSubscriberInput = z.output<typeof CreateEndpointSubscriberInput>;

/** `POST /v1/admin/subscribers`: an address, or an endpoint (`channel`), told apart by `channel`. */
export const NewSubscriberInput = addressOrChannel(CreateSubscriberInput, CreateEndpointSubscriberInput);
/** The same, as the API's description shows it. */
export const NewSubscriberDocuments = z.union([CreateSubscriberInput, CreateEndpointSubscriberInput]);
