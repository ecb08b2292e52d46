import * as z from 'zod';
import { MESSAGES } from '../../domain/form-messages';
import { NotificationLevel } from '../../domain/levels';
import { TopicInput } from '../../domain/topics';
import { AppError } from '../../errors';
import { topicsFromForm } from '../../http/topic-form';
import { NO_TOPICS_LEFT } from '../../templates/pages/console/subscriber';

/*
 * The console's forms as the admin API's input: one validation per form, in the words the customer
 * pages use, whose issues become the page's error summary (and a JSON client's `details`).
 */

/** An address: trimmed; missing or malformed said as on the subscribe page. */
export const EmailField = z
  .string()
  .trim()
  .pipe(
    z
      .email({ error: (issue) => (issue.input ? MESSAGES.emailFormat : MESSAGES.emailMissing) })
      .max(254, MESSAGES.emailFormat),
  );

/** The ticked boxes of the topic trees (topic keys), as the API's topics: at least one, at most 40. */
const TopicKeys = (noTopics: string) =>
  z
    .array(z.string())
    .transform((keys, ctx) => {
      try {
        return topicsFromForm(keys);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        for (const detail of error.details) ctx.addIssue({ code: 'custom', message: detail.message });
        return z.NEVER;
      }
    })
    .pipe(z.array(TopicInput).min(1, noTopics).max(40, MESSAGES.tooManyTopics));

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
  reason: z.string().trim().max(500, 'Keep the reason under 500 characters'),
});
