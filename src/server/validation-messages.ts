/**
 * Request validation failures in words a person reads in a form: "Name is required" rather than
 * zod's "Too small: expected string to have >=1 characters". The error keeps each field's path
 * in `details`, so clients can still place the message next to the field.
 */

/** One item of fastify-type-provider-zod's validation error: the zod issue, flattened. */
export interface ValidationItem {
  keyword: string;
  instancePath: string;
  message: string;
  params?: Record<string, unknown>;
}

/** `fullName` -> "Full name", `files/2/name` -> "files[2].name", `/` -> "The request". */
export function fieldLabel(instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (parts.length === 0) return 'The request';
  if (parts.length === 1) {
    const words = parts[0]!.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const article = (type: string) => ({ array: 'a list', object: 'an object', integer: 'an integer', undefined: 'absent' })[type] ?? `a ${type}`;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function humanValidation(v: ValidationItem): string {
  const label = fieldLabel(v.instancePath);
  const p = v.params ?? {};
  // Messages we wrote ourselves start lower-case ("must be an email address"): keep them.
  if (/^[a-z]/.test(v.message)) return v.instancePath && v.instancePath !== '/' ? `${label} ${v.message}` : capitalise(v.message);
  switch (v.keyword) {
    case 'invalid_type':
      if (/received undefined/.test(v.message)) return `${label} is required`;
      return `${label} must be ${article(String(p.expected ?? 'value'))}`;
    case 'too_small': {
      const n = Number(p.minimum);
      if (p.origin === 'string') return n <= 1 ? `${label} is required` : `${label} must be at least ${plural(n, 'character')}`;
      if (p.origin === 'array' || p.origin === 'set') return `${label} must have at least ${plural(n, 'item')}`;
      return `${label} must be ${p.inclusive === false ? 'greater than' : 'at least'} ${n}`;
    }
    case 'too_big': {
      const n = Number(p.maximum);
      if (p.origin === 'string') return `${label} must be at most ${plural(n, 'character')}`;
      if (p.origin === 'array' || p.origin === 'set') return `${label} must have at most ${plural(n, 'item')}`;
      return `${label} must be ${p.inclusive === false ? 'less than' : 'at most'} ${n}`;
    }
    case 'unrecognized_keys': {
      const keys = Array.isArray(p.keys) ? (p.keys as unknown[]).map(String) : [];
      return `${v.instancePath && v.instancePath !== '/' ? `${label}: u` : 'U'}nknown field${keys.length === 1 ? '' : 's'}: ${keys.join(', ')}`;
    }
    case 'invalid_value':
      return Array.isArray(p.values) ? `${label} must be one of: ${(p.values as unknown[]).map(String).join(', ')}` : `${label} is not an accepted value`;
    case 'invalid_format':
      return `${label} is not a valid ${String(p.format ?? 'value')}`;
    default:
      return `${label}: ${v.message}`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
