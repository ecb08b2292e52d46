type Fields = Record<string, unknown>;

/** One JSON line per event, so CloudWatch Logs Insights can query the fields. */
function write(level: 'info' | 'warn' | 'error', message: string, fields: Fields = {}) {
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
