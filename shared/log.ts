type Fields = Record<string, unknown>;
type Level = 'info' | 'warn' | 'error';

const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };
const threshold = RANK[(process.env.LOG_LEVEL as Level | undefined) ?? 'info'] ?? 0;

/** One JSON line per event, so CloudWatch Logs Insights can query the fields. */
function write(level: Level, message: string, fields: Fields = {}) {
  if (RANK[level] < threshold) return;
  const entry = { level, message, ...fields, time: new Date().toISOString() };
  const line = JSON.stringify(entry, (_, value) =>
    value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
  );
  if (level === 'error') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
};
