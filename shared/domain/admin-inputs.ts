import * as z from 'zod';
import { addressOrChannel, ChannelInput } from './endpoint';
import { NotificationLevel } from './levels';
import { normalizeEmail, SubscriberStatus } from './subscriber';
import { TopicInput } from './topics';

/*
 * What the admin API takes to add, find, change and suppress subscribers: the API's handlers, the
 * console and the CLI's client (adapters/admin-api.ts) all speak these shapes.
 */

export const CreateSubscriberInput = z.object({
  email: z.email().max(254).transform(normalizeEmail),
  topics: z.array(TopicInput).min(1).max(40),
  /** true: subscribed on the support team's word; false: the address gets a confirmation mail. */
  confirmed: z.boolean().default(false),
  level: NotificationLevel.default('all'),
});
export type CreateSubscriberInput = z.output<typeof CreateSubscriberInput>;

export const SubscriberSearch = z.object({
  email: z
    .string()
    .min(1)
    .max(254)
    .transform(normalizeEmail)
    .optional()
    .describe(
      'A whole address (that subscriber), a domain (`@example.com`, or `example.com`: every address at it), ' +
        'or the start of an address (`ali`), any case; `*part` finds a part anywhere (a slower scan: a page ' +
        'may come back short, with a cursor to go on)',
    ),
  status: SubscriberStatus.optional(),
  pageId: z.string().min(1).optional(),
  groupId: z.string().min(1).optional(),
  componentId: z.string().min(1).optional(),
  host: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .transform((host) => host.toLowerCase())
    .optional()
    .describe(
      "A webhook's host (`hooks.example.com`, with `:port` if not 443): the subscribers of its endpoints",
    ),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type SubscriberSearch = z.output<typeof SubscriberSearch>;

export const ReindexInput = z.strictObject({
  cursor: z.string().optional(),
  /** Profiles read per request (each request does a bounded amount of work). */
  limit: z.number().int().min(1).max(1000),
});

export const ChangeSubscriberInput = z
  .object({
    topics: z.array(TopicInput).min(1).max(40).optional(),
    level: NotificationLevel.optional(),
    status: z.enum(['confirmed', 'unsubscribed']).optional(),
  })
  .refine((change) => Object.keys(change).length > 0, 'nothing to change: give topics, level or status');
export type ChangeSubscriberInput = z.output<typeof ChangeSubscriberInput>;

export const SuppressionInput = z.object({
  email: z.email().max(254).transform(normalizeEmail),
  reason: z.string().min(1).max(500).default('added by support'),
});

/**
 * A webhook added by support: confirmed outright (support vouches for it; its owner gets the management
 * link by mail), its signing secret answered once.
 */
export const CreateEndpointSubscriberInput = z.object({
  channel: ChannelInput,
  /** Who hears about the endpoint: its management link, and a notice if it is paused. */
  ownerEmail: z.email().max(254).transform(normalizeEmail),
  topics: z.array(TopicInput).min(1).max(40),
  confirmed: z.literal(true, {
    error: 'a webhook added by support is confirmed outright: set confirmed to true',
  }),
  level: NotificationLevel.default('all'),
});
export type CreateEndpointSubscriberInput = z.output<typeof CreateEndpointSubscriberInput>;

/** `POST /v1/admin/subscribers`: an address, or an endpoint (`channel`), told apart by `channel`. */
export const NewSubscriberInput = addressOrChannel(CreateSubscriberInput, CreateEndpointSubscriberInput);
/** The same, as the API's description shows it. */
export const NewSubscriberDocuments = z.union([CreateSubscriberInput, CreateEndpointSubscriberInput]);
