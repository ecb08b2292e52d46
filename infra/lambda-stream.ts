import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';

/** A record as Lambda puts it in a DynamoDB stream event (creation time in epoch seconds). */
export function toLambdaRecord(record: StreamRecord, streamArn: string) {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: streamArn.split(':')[3] || record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: created ? Math.floor(created.getTime() / 1000) : undefined,
    },
  };
}
