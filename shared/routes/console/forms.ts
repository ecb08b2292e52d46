import { MESSAGES } from '../../domain/form-messages';
import { NotificationLevel } from '../../domain/levels';
import { TopicInput } from '../../domain/topics';
import * as z from '../../domain/zod';
import { AppError } from '../../errors';
import { topicsFromForm } from '../../http/topic-form';
import { NO_TOPICS_LEFT } from '../../templates/pages/console/subscriber';

/*
 * The console's forms as the admin API's input: one validation per form, in the words the customer
 * pages use, whose issues become the page's error summary (and a JSON client's `details`).
 */

/** An address: trimmed; missing or malformed said as on the subscribe page. */
export const EmailField = z.pipe(
  z.string().check(z.trim()),
  z
    .email({ error: (issue) => (issue.input ? MESSAGES.emailFormat : MESSAGES.emailMissing) })
    .check(z.maxLength(254, MESSAGES.emailFormat)),
);

/** The ticked boxes of the topic trees (topic keys), as the API's topics: at least one, at most 40. */
const TopicKeys = (noTopics: string) =>
  z.pipe(
    z.pipe(
      z.array(z.string()),
      z.transform((keys, ctx) => {
        try {
          return topicsFromForm(keys);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          for (const detail of error.details) z.addIssue(ctx, { code: 'custom', message: detail.message });
          return z.NEVER;
        }
      }),
    ),
    z.array(TopicInput).check(z.minLength(1, noTopics), z.maxLength(40, MESSAGES.tooManyTopics)),
  );

const Level = z.enum(NotificationLevel.options, { error: MESSAGES.level });

/** A subscriber's topics and how often, from its page. */
export const ChangeForm = z.object({ topics: TopicKeys(NO_TOPICS_LEFT), level: Level });

/** A new subscriber, from the subscribers page. */
export const AddForm = z.object({
  email: EmailField,
  topics: TopicKeys(MESSAGES.noTopics),
  level: Level,
  confirmed: z.boolean(),
});

/** An address to suppress, and why. */
export const SuppressForm = z.object({
  email: EmailField,
  reason: z.string().check(z.trim(), z.maxLength(500, 'Keep the reason under 500 characters')),
});
