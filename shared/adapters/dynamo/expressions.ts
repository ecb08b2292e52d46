/** Builds `SET #a = :a, ...` for the defined fields of an object, with names and values to match. */
export function setClause(
  fields: Record<string, unknown>,
  options: { ifNotExists?: readonly string[] } = {},
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    parts.push(
      options.ifNotExists?.includes(field)
        ? `#${field} = if_not_exists(#${field}, :${field})`
        : `#${field} = :${field}`,
    );
  }
  return { clause: `SET ${parts.join(', ')}`, names, values };
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
