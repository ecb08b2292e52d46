import middy from '@middy/core';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { FUNCTION_ENV } from '../shared/function-env';
import { log } from '../shared/log';
import { METRIC } from '../shared/metric-names';
import { count } from '../shared/metrics';
import { observed } from '../shared/observed';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { sendMaintenanceReminders } from '../shared/usecases/maintenance-reminders';

const env = await loadConfig(FUNCTION_ENV.reminders);
const deps = {
  incidents: new DynamoIncidents(createDocumentClient(), env.INCIDENTS_TABLE),
  clock: systemClock,
};

/** Scheduled: each maintenance about to start gets its reminder, once; the incidents stream notifies. */
export const handler = middy()
  .use(observed({ counts: true }))
  .handler(async () => {
    const result = await sendMaintenanceReminders(deps, { leadMinutes: env.MAINTENANCE_REMINDER_MINUTES });
    count(METRIC.updatesIngested, result.reminded.length);
    if (result.reminded.length > 0) log.info('maintenance reminders stored', { incidents: result.reminded });
    return result;
  });
