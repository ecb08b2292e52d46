import { type TopicInput, topicInputFromKey } from '../domain/topics';
import { AppError } from '../errors';

/**
 * The topics a component tree's checkboxes sent (their values are topic keys), in the API's shape. A value
 * that is not a key (a forged or stale form) is a message on the tree, like any bad topic.
 */
export function topicsFromForm(keys: readonly string[]): TopicInput[] {
  const topics = keys.map(topicInputFromKey);
  if (topics.some((t) => !t)) {
    throw new AppError('VALIDATION', 'a choice on the form is not a topic', [
      { path: 'topics', message: 'One of the choices is not on this page any more: choose again' },
    ]);
  }
  return topics.flatMap((t) => (t ? [t] : []));
}
