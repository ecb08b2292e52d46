import type { PageView } from '../domain/catalog';
import {
  componentTopicKey,
  pageTopicKey,
  regionTopicKey,
  type TopicInput,
  type TreeShape,
  topicInputFromKey,
  treeSelection,
} from '../domain/topics';
import { AppError } from '../errors';

/**
 * The topics a component tree's checkboxes sent (their values are topic keys), in the API's shape. A value
 * that is not a key (a forged or stale form) is a message on the tree, like any bad topic.
 */
export function topicsFromForm(keys: readonly string[]): TopicInput[] {
  const topics = keys.map(topicInputFromKey);
  if (topics.some((t) => !t)) throw notOnTheForm();
  return topics.flatMap((t) => (t ? [t] : []));
}

const notOnTheForm = () =>
  new AppError('VALIDATION', 'a choice on the form is not a topic', [
    { path: 'topics', message: 'One of the choices is not on this page any more: choose again' },
  ]);

/** A page's tree as the form drew it. */
export function treeOf(page: PageView): TreeShape {
  return {
    pageId: page.id,
    regions: page.regions.map((r) => ({ groupId: r.id, componentIds: r.components.map((c) => c.id) })),
    componentIds: page.components.map((c) => c.id),
  };
}

/**
 * What the ticked boxes of these pages' trees mean (`treeSelection`), as topic keys, given the keys followed
 * when the form was drawn; a value from no tree on the form (forged, or the catalog changed) is refused.
 */
export function chosenTopicKeys(
  pages: readonly PageView[],
  sent: readonly string[],
  before: ReadonlySet<string> = new Set(),
): string[] {
  const onForm = new Set(pages.flatMap((page) => treeKeys(treeOf(page))));
  if (sent.some((key) => !onForm.has(key))) throw notOnTheForm();
  return pages.flatMap((page) => treeSelection(treeOf(page), new Set(sent), before));
}

/** The same, in the API's shape. */
export const chosenTopics = (...args: Parameters<typeof chosenTopicKeys>): TopicInput[] =>
  topicsFromForm(chosenTopicKeys(...args));

function treeKeys(tree: TreeShape): string[] {
  return [
    pageTopicKey(tree.pageId),
    ...tree.regions.flatMap((r) => [
      regionTopicKey(tree.pageId, r.groupId),
      ...r.componentIds.map((id) => componentTopicKey(tree.pageId, id)),
    ]),
    ...tree.componentIds.map((id) => componentTopicKey(tree.pageId, id)),
  ];
}
