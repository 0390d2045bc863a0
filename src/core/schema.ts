// A small validator for plain JSON data (scenario files, trace files): it checks a value against
// a schema and reports every problem with the field path and what was expected, instead of
// failing deep inside the simulator on a typo. Hand-written because the checks are few and the
// messages matter more than generality.

export type Schema =
  | { type: 'number'; minimum?: number; maximum?: number; integer?: boolean; optional?: boolean }
  | { type: 'string'; pattern?: RegExp; optional?: boolean }
  | { type: 'boolean'; optional?: boolean }
  | { type: 'enum'; values: readonly string[]; optional?: boolean }
  | { type: 'array'; items: Schema; minimumLength?: number; maximumLength?: number; optional?: boolean; nullable?: boolean }
  /** `nullable`: null stands for "none" (a trace's violation when the run had none). */
  | { type: 'object'; fields: Record<string, Schema>; optional?: boolean; allowUnknown?: boolean; nullable?: boolean }
  /** One of several object shapes, chosen by the string value of `discriminator`. */
  | { type: 'union'; discriminator: string; variants: Record<string, Schema & { type: 'object' }>; optional?: boolean }
  | { type: 'any'; optional?: boolean };

export interface SchemaError {
  /** Dotted path to the field: "faults.crashesPerSecond", "schedule[2].node". */
  path: string;
  message: string;
}

export function validate(value: unknown, schema: Schema, path = ''): SchemaError[] {
  const errors: SchemaError[] = [];
  check(value, schema, path, errors);
  return errors;
}

function check(value: unknown, schema: Schema, path: string, errors: SchemaError[]): void {
  const where = path === '' ? '(top level)' : path;
  const fail = (expected: string): void => {
    errors.push({ path: where, message: `expected ${expected}, got ${describe(value)}` });
  };
  switch (schema.type) {
    case 'any':
      return;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(numberExpectation(schema));
      if (schema.integer && !Number.isInteger(value)) return fail(numberExpectation(schema));
      if (schema.minimum !== undefined && value < schema.minimum) return fail(numberExpectation(schema));
      if (schema.maximum !== undefined && value > schema.maximum) return fail(numberExpectation(schema));
      return;
    }
    case 'string':
      if (typeof value !== 'string') return fail('a string');
      if (schema.pattern !== undefined && !schema.pattern.test(value)) return fail(`a string matching ${schema.pattern}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return fail('true or false');
      return;
    case 'enum':
      if (typeof value !== 'string' || !schema.values.includes(value)) return fail(`one of ${schema.values.map((v) => `"${v}"`).join(', ')}`);
      return;
    case 'array': {
      if (value === null && schema.nullable) return;
      if (!Array.isArray(value)) return fail(schema.nullable ? 'a list or null' : 'a list');
      if (schema.minimumLength !== undefined && value.length < schema.minimumLength) return fail(`a list of at least ${schema.minimumLength} items`);
      if (schema.maximumLength !== undefined && value.length > schema.maximumLength) return fail(`a list of at most ${schema.maximumLength} items`);
      value.forEach((item, index) => check(item, schema.items, `${path}[${index}]`, errors));
      return;
    }
    case 'object': {
      if (value === null && schema.nullable) return;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(schema.nullable ? 'an object or null' : 'an object');
      checkFields(value as Record<string, unknown>, schema, path, errors);
      return;
    }
    case 'union': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('an object');
      const tag = (value as Record<string, unknown>)[schema.discriminator];
      const variant = typeof tag === 'string' ? schema.variants[tag] : undefined;
      if (variant === undefined) {
        errors.push({
          path: join(path, schema.discriminator),
          message: `expected one of ${Object.keys(schema.variants).map((v) => `"${v}"`).join(', ')}, got ${describe(tag)}`,
        });
        return;
      }
      checkFields(value as Record<string, unknown>, variant, path, errors);
      return;
    }
  }
}

function checkFields(value: Record<string, unknown>, schema: Schema & { type: 'object' }, path: string, errors: SchemaError[]): void {
  for (const [name, fieldSchema] of Object.entries(schema.fields)) {
    const fieldValue = value[name];
    if (fieldValue === undefined) {
      if (!fieldSchema.optional) errors.push({ path: join(path, name), message: 'is required but missing' });
      continue;
    }
    check(fieldValue, fieldSchema, join(path, name), errors);
  }
  if (schema.allowUnknown) return;
  const known = Object.keys(schema.fields);
  for (const name of Object.keys(value)) {
    if (known.includes(name)) continue;
    const suggestion = closest(name, known);
    errors.push({
      path: join(path, name),
      message: `unknown field${suggestion === null ? '' : ` (did you mean "${suggestion}"?)`}; known fields: ${known.join(', ')}`,
    });
  }
}

function numberExpectation(schema: { minimum?: number; maximum?: number; integer?: boolean }): string {
  const kind = schema.integer ? 'an integer' : 'a number';
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `${kind} from ${schema.minimum} to ${schema.maximum}`;
  if (schema.minimum !== undefined) return `${kind} of at least ${schema.minimum}`;
  if (schema.maximum !== undefined) return `${kind} of at most ${schema.maximum}`;
  return kind;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** The known name within edit distance 3 of the given one, if any (for "did you mean"). */
function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
