import type { Fault, FaultProxy, ProxiedRequest } from '../support/fault-proxy';

/** What the functions asked of DynamoDB and SES while a benchmark ran. */
export interface Counts {
  dynamoRequests: number;
  byOperation: Record<string, number>;
  wcu: number;
  rcu: number;
  sesCalls: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/**
 * Counts the functions' DynamoDB requests and the capacity they consume, from outside: the proxy in
 * front of DynamoDB Local asks each request for its ConsumedCapacity and adds it up. Stream reads are
 * Lambda's, not the functions', and are left out.
 */
export function countDynamo(proxy: FaultProxy, counts: Counts): void {
  proxy.decide = (request: ProxiedRequest): Fault => {
    if (!request.target.startsWith('DynamoDB_20120810.')) return { kind: 'forward' };
    const operation = request.target.split('.')[1] ?? '?';
    counts.dynamoRequests++;
    counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
    return {
      kind: 'rewrite',
      request: (body) => ({ ...body, ReturnConsumedCapacity: 'TOTAL' }),
      response: (body) => {
        const consumed = [body.ConsumedCapacity ?? []].flat() as Array<{ CapacityUnits?: number }>;
        const units = consumed.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        if (READS.has(operation)) counts.rcu += units;
        else counts.wcu += units;
        return body;
      },
    };
  };
}

/** Counts SendBulkEmail and SendEmail calls through the proxy in front of the SES emulator. */
export function countSes(proxy: FaultProxy, counts: Counts): void {
  proxy.decide = (request) => {
    if (request.method === 'POST' && request.path.startsWith('/v2/email/outbound')) counts.sesCalls++;
    return { kind: 'forward' };
  };
}

export const noCounts = (): Counts => ({ dynamoRequests: 0, byOperation: {}, wcu: 0, rcu: 0, sesCalls: 0 });
