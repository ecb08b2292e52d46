import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CatalogComponent, CatalogGroup, CatalogPage, type PageCatalog } from '../../domain/catalog';
import type { ComponentPlacement } from '../../domain/ingest-plan';
import type { Catalog } from '../../ports';
import { batchWriteAll, queryAll } from './batch';
import { setClause } from './expressions';

const PAGE = 'PAGE';
const groupSk = (groupId: string) => `GROUP#${groupId}`;
const componentSk = (componentId: string) => `COMPONENT#${componentId}`;

/** Catalog table: `pk` page id; `sk` `PAGE`, `GROUP#<id>` (a region) or `COMPONENT#<id>`. Small: scans are fine. */
export class DynamoCatalog implements Catalog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async replacePage({ page, groups, components }: Required<PageCatalog>): Promise<void> {
    const current = await this.queryPage(page.pageId);
    const items = [
      { pk: page.pageId, sk: PAGE, ...page },
      ...groups.map((group) => ({ pk: page.pageId, sk: groupSk(group.groupId), ...group })),
      ...components.map((component) => ({
        pk: page.pageId,
        sk: componentSk(component.componentId),
        ...component,
      })),
    ];
    // A document listing a row twice must not put one key twice into a batch write.
    const unique = [...new Map(items.map((item) => [item.sk, item])).values()];
    const keep = new Set(unique.map((item) => item.sk));
    const stale = current.filter((item) => !keep.has(String(item.sk)));
    await batchWriteAll(this.client, this.tableName, [
      ...unique.map((Item) => ({ PutRequest: { Item } })),
      ...stale.map((item) => ({ DeleteRequest: { Key: { pk: String(item.pk), sk: String(item.sk) } } })),
    ]);
  }

  /** Keeps components current from webhooks; a region or page first seen this way is named by its id. */
  async recordPlacements(placements: readonly ComponentPlacement[]): Promise<void> {
    const pageIds = new Set(placements.map((p) => p.pageId));
    const groups = new Map(placements.flatMap((p) => (p.groupId ? [[`${p.pageId}#${p.groupId}`, p]] : [])));
    await Promise.all([
      ...[...pageIds].map((pageId) => this.ensureNamed(pageId, PAGE, { pageId, name: pageId })),
      ...[...groups.values()].map((p) =>
        this.ensureNamed(p.pageId, groupSk(p.groupId as string), {
          pageId: p.pageId,
          groupId: p.groupId,
          name: p.groupId,
        }),
      ),
      ...placements.map((placement) => this.placeComponent(placement)),
    ]);
  }

  async getPage(pageId: string): Promise<PageCatalog> {
    return toCatalog(await this.queryPage(pageId));
  }

  async listPages(): Promise<PageCatalog[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const byPage = Map.groupBy(items, (item) => String(item.pk));
    return [...byPage.values()].map(toCatalog);
  }

  private async placeComponent({ pageId, componentId, name, groupId, status }: ComponentPlacement) {
    const set = setClause({ pageId, componentId, name, status, ...(groupId ? { groupId } : {}) });
    // null means the webhook says the component is top-level now; undefined means it did not say.
    const remove = groupId === null ? ' REMOVE groupId' : '';
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pageId, sk: componentSk(componentId) },
        UpdateExpression: set.clause + remove,
        ExpressionAttributeNames: set.names,
        ExpressionAttributeValues: set.values,
      }),
    );
  }

  private async ensureNamed(pageId: string, sk: string, fields: Record<string, unknown>) {
    const set = setClause(fields, { ifNotExists: Object.keys(fields) });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pageId, sk },
        UpdateExpression: set.clause,
        ExpressionAttributeNames: set.names,
        ExpressionAttributeValues: set.values,
      }),
    );
  }

  private queryPage(pageId: string): Promise<Record<string, unknown>[]> {
    // Consistent: the fan-out reads placements the same webhook has just written.
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pageId },
      ConsistentRead: true,
    });
  }
}

function toCatalog(items: readonly Record<string, unknown>[]): PageCatalog {
  const pageItem = items.find((item) => item.sk === PAGE);
  return {
    ...(pageItem ? { page: CatalogPage.parse(pageItem) } : {}),
    groups: items
      .filter((item) => String(item.sk).startsWith('GROUP#'))
      .map((item) => CatalogGroup.parse(item)),
    components: items
      .filter((item) => String(item.sk).startsWith('COMPONENT#'))
      .map((item) => CatalogComponent.parse(item)),
  };
}
