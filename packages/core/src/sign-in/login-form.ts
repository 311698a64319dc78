/** Credentials read from a login form or JSON body. */
export interface LoginCredentials {
  username: string;
  password: string;
  /** The connection (user directory) for Auth0's password-realm grant. */
  realm?: string;
}

/**
 * Reads `username` (or `email`), `password` and an optional `realm` from a parsed form or JSON
 * body. Returns `undefined` when they are missing or not strings.
 */
export function readLoginCredentials(body: unknown): LoginCredentials | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const username: unknown = Reflect.get(body, 'username') ?? Reflect.get(body, 'email');
  const password: unknown = Reflect.get(body, 'password');
  const realm: unknown = Reflect.get(body, 'realm');
  if (
    typeof username !== 'string' ||
    username === '' ||
    typeof password !== 'string' ||
    password === ''
  ) {
    return undefined;
  }
  if (realm === undefined || realm === '') return { username, password };
  return typeof realm === 'string' ? { username, password, realm } : undefined;
}

/** The `otp` field of a parsed form or JSON body; `''` when absent or not a string. */
export function readOtpField(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const otp: unknown = Reflect.get(body, 'otp');
  return typeof otp === 'string' ? otp : '';
}

/** A string field of a parsed form or JSON body, trimmed; `''` when absent or not a string. */
export function readTextField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value: unknown = Reflect.get(body, name);
  return typeof value === 'string' ? value.trim() : '';
}

/** One of `allowed` from the field `name`, or `undefined`. */
export function readChoice<T extends string>(
  body: unknown,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = readTextField(body, name);
  return allowed.find((choice) => choice === value);
}
