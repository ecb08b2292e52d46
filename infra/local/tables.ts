import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CHANGE_LOG_START } from '../../shared/adapters/dynamo/subscriber-changes';
import { type TableDefinition, tables } from '../../shared/adapters/dynamo/tables';
import type { TableKey } from '../functions';

export type TableNames = Record<TableKey, string>;

/**
 * Creates every table (on-demand, streams as in AWS) named `<prefix><Name>` that does not exist yet, and
 * waits until each is active. Existing tables and their data are kept: a restart against a running or
 * persistent DynamoDB Local finds its subscribers where it left them.
 */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<TableNames> {
  const entries = await Promise.all(
    (Object.entries(tables) as Array<[TableKey, TableDefinition]>).map(async ([key, definition]) => {
      const name = `${prefix}${definition.name}`;
      const existing = await describe(client, name);
      if (existing) {
        await addMissingIndexes(client, name, definition, existing);
      } else {
        await client
          .send(new CreateTableCommand(createTableInput(name, definition)))
          .catch((error: unknown) => {
            // Another stack created it meanwhile: it exists, which is all that is wanted.
            if (!(error instanceof ResourceInUseException)) throw error;
          });
      }
      await waitActive(client, name);
      // A subscribers table created by this version never had a writer that kept no change log.
      if (!existing && key === 'subscribers') await startChangeLog(client, name);
      return [key, name] as const;
    }),
  );
  return Object.fromEntries(entries) as TableNames;
}

async function startChangeLog(client: DynamoDBClient, name: string) {
  await client
    .send(
      new PutItemCommand({
        TableName: name,
        Item: { pk: { S: CHANGE_LOG_START.pk }, sk: { S: CHANGE_LOG_START.sk }, at: { N: '0' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    .catch((error: unknown) => {
      // Another stack started it meanwhile.
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    });
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Data kept from an older version of the tables gains the indexes added since, one at a time as in AWS. */
async function addMissingIndexes(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  existing: TableDescription,
) {
  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const wanted = createTableInput(name, definition);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: wanted.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    await waitActive(client, name);
  }
}

function createTableInput(name: string, t: TableDefinition): CreateTableCommandInput {
  const attributes = new Set([
    t.partitionKey,
    t.sortKey,
    ...t.indexes.flatMap((i) => [i.partitionKey, i.sortKey ?? []].flat()),
  ]);
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: t.partitionKey, KeyType: 'HASH' },
      { AttributeName: t.sortKey, KeyType: 'RANGE' },
    ],
    ...(t.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: t.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: index.include
              ? { ProjectionType: 'INCLUDE', NonKeyAttributes: index.include }
              : { ProjectionType: 'ALL' },
          })),
        }
      : {}),
    ...(t.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: t.stream } } : {}),
  };
}

async function waitActive(client: DynamoDBClient, name: string) {
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${name} did not become active`);
}
