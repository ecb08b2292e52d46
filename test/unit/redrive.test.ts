import { readFileSync } from 'node:fs';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import {
  compareSequence,
  describeOutcome,
  inBatch,
  invocationVerdict,
  planBatch,
  readFailure,
  streamFunctionIn,
} from '../../infra/cli/redrive';
import { functionSpecs } from '../../infra/functions';
import { toLambdaRecord } from '../../infra/lambda-stream';

const message = JSON.parse(
  readFileSync(new URL('../fixtures/aws/sender-on-failure.json', import.meta.url), 'utf8'),
);
const filter = functionSpecs.sender.stream.filter;

const record = (
  sequence: string,
  kind = 'sendBatch',
  eventName: StreamRecord['eventName'] = 'INSERT',
  status = 'pending',
) =>
  ({
    eventID: `e${sequence}`,
    eventName,
    dynamodb: {
      SequenceNumber: sequence,
      ApproximateCreationDateTime: new Date('2025-08-06T14:14:03Z'),
      Keys: { sk: { S: 'DELIVERY#i#u' }, pk: { S: `sub-${sequence}` } },
      NewImage: { kind: { S: kind }, status: { S: status } },
    },
  }) satisfies StreamRecord;

describe('redrive decisions', () => {
  it("reads Lambda's on-failure record for a DynamoDB stream batch, and names what is not one", () => {
    const read = readFailure(message.Body);
    expect(read).toMatchObject({
      failure: { DDBStreamBatchInfo: { batchSize: 2, startSequenceNumber: '4081600000000012849315224' } },
    });
    expect(readFailure('{"detail-type":"SES Bounce"}')).toMatchObject({
      problem: expect.stringMatching(/^not a DynamoDB stream batch: .*DDBStreamBatchInfo/),
    });
    expect(readFailure('<xml/>')).toEqual({ problem: 'the message body is not JSON' });
  });

  it('tells whose batch it is from a function name, an ARN or a queue URL', () => {
    expect(streamFunctionIn([undefined, JSON.parse(message.Body).requestContext.functionArn])).toBe('sender');
    expect(
      streamFunctionIn(['https://sqs.eu-west-1.amazonaws.com/1/StatusNotifierCompute-FanoutFailuresAB-x']),
    ).toBe('fanout');
    expect(streamFunctionIn(['my-function', 'https://sqs.eu-west-1.amazonaws.com/1/q'])).toBeUndefined();
  });

  it('compares sequence numbers as numbers and picks the batch out of the shard with the event filter', () => {
    expect(compareSequence('900', '1000')).toBe(-1);
    expect(compareSequence('000000000000000000010', '10')).toBe(0);
    const info = {
      ...JSON.parse(message.Body).DDBStreamBatchInfo,
      startSequenceNumber: '10',
      endSequenceNumber: '20',
    };
    expect(inBatch(record('10'), info, filter)).toBe(true);
    expect(inBatch(record('21'), info, filter)).toBe(false);
    // A send batch the sweep touched is the sender's; its own delivery records are not.
    expect(inBatch(record('15', 'sendBatch', 'MODIFY'), info, filter)).toBe(true);
    expect(inBatch(record('15', 'delivery', 'INSERT', 'sent'), info, filter)).toBe(false);
    expect(inBatch(record('15', 'delivery', 'MODIFY', 'sent'), info, filter)).toBe(false);
  });

  it('replays a batch only when all of it is still in the stream', () => {
    const info = JSON.parse(message.Body).DDBStreamBatchInfo;
    expect(planBatch(info, [record('1'), record('2')])).toMatchObject({ kind: 'replay' });
    expect(planBatch(info, [record('2')])).toEqual({
      kind: 'gone',
      found: 1,
      expected: 2,
      reason: '1 of 2 records are still in the stream',
    });
    expect(planBatch(info, { unreadable: 'trimmed' })).toMatchObject({ kind: 'gone', reason: 'trimmed' });
  });

  it('counts a replay as done only without a function error and without failed records', () => {
    expect(invocationVerdict(undefined, '{"batchItemFailures":[]}')).toEqual({ ok: true });
    expect(invocationVerdict(undefined, 'null')).toEqual({ ok: true });
    expect(invocationVerdict(undefined, '{"batchItemFailures":[{"itemIdentifier":"7"}]}')).toEqual({
      ok: false,
      reason: '1 record(s) reported as failed',
    });
    expect(invocationVerdict('Unhandled', '{"errorType":"Error","errorMessage":"boom"}')).toEqual({
      ok: false,
      reason: 'function error (Unhandled): Error: boom',
    });
    expect(invocationVerdict(undefined, 'Task timed out')).toMatchObject({ ok: false });
  });

  it('shapes records as Lambda does and lists them by key', () => {
    const { streamArn } = JSON.parse(message.Body).DDBStreamBatchInfo;
    expect(toLambdaRecord(record('5'), streamArn)).toMatchObject({
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: streamArn,
      dynamodb: { SequenceNumber: '5', ApproximateCreationDateTime: 1754489643 },
    });
    const info = JSON.parse(message.Body).DDBStreamBatchInfo;
    expect(
      describeOutcome({
        messageId: 'm1',
        status: 'would-replay',
        functionName: 'f',
        info,
        keys: ['sub-5 DELIVERY#i#u'],
      }),
    ).toContain('\n                sub-5 DELIVERY#i#u');
  });
});
