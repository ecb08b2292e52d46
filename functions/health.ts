import * as z from '../shared/domain/zod';
import { httpHandler } from '../shared/http/handler';
import { json } from '../shared/http/respond';

/** GET /v1/health: the API and its function runtime answer. */
export const handler = httpHandler({ input: z.object({}) }, async () => json(200, { status: 'ok' }));
