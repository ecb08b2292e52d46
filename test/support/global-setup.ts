import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { startSesLocal } from '../../infra/local/ses-local';
import { freePort } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sesEndpoint: string;
  }
}

/** One DynamoDB Local and one SES emulator for the whole run, on free loopback ports; suites share them. */
export default async function setup(project: TestProject) {
  const dynamodb = await startDynamoDbLocal(await freePort());
  const ses = await startSesLocal(0);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await ses.stop();
    await dynamodb.stop();
  };
}
