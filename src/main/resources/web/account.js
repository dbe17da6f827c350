// The account API (docs/protocol.md, "HTTP: accounts"): JSON in and out. The session is an HttpOnly
// cookie that this page never sees; the browser sends it with every request to the same origin.

/**
 * @typedef {{userId: string, username: string, name: string, role: 'admin'|'member'}} User
 * @typedef {{user: User|null, signup: 'open'|'invite', firstAccount: boolean}} SessionState
 */

/** A refused request: `status` is the HTTP status, `code` the API's error code, `field` the field at fault. */
export class ApiError extends Error {
  /**
   * @param {number} status @param {string} code @param {string} message
   * @param {string|null} field @param {number} retryAfter seconds, when the server said (429)
   */
  constructor(status, code, message, field, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

/**
 * @param {'GET'|'POST'} method @param {string} path @param {object} [body]
 * @returns {Promise<any>}
 */
async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  /** @type {any} */
  let data = {};
  try {
    data = await res.json();
  } catch {
    // A proxy's error page, or nothing: the status says enough.
  }
  if (!res.ok) {
    throw new ApiError(res.status, data.error ?? `http_${res.status}`, data.message ?? res.statusText, data.field ?? null,
      Number(res.headers.get('Retry-After')) || 0);
  }
  return data;
}

export const account = {
  /** @returns {Promise<SessionState>} who is signed in here, and how one signs up */
  session: () => call('GET', '/api/session'),
  /** @param {string} username @param {string} password @returns {Promise<User>} */
  signIn: (username, password) => call('POST', '/api/signin', { username, password }),
  /**
   * @param {{username: string, password: string, name?: string, invitation?: string}} fields
   * @returns {Promise<User>}
   */
  signUp: (fields) => call('POST', '/api/signup', fields),
  /** @returns {Promise<void>} */
  signOut: () => call('POST', '/api/signout', {}),
  /** @param {string} current @param {string} password @returns {Promise<void>} */
  changePassword: (current, password) => call('POST', '/api/password', { current, password }),
  /** @returns {Promise<{code: string, expires: number}>} */
  invite: () => call('POST', '/api/invitations', {}),
};

/**
 * What to tell a person about a refused request.
 * @param {unknown} err
 * @returns {string}
 */
export function explain(err) {
  if (!(err instanceof ApiError)) return 'Parley cannot be reached. Check your connection and try again.';
  switch (err.code) {
    // A disabled account is answered so too (docs/security.md), so say that it may be the reason.
    case 'bad_credentials': return 'Wrong username or password, or the account is disabled: an admin can tell you.';
    case 'too_many_attempts': return `Too many failed attempts. Try again in ${Math.max(1, Math.ceil(err.retryAfter / 60))} minute(s).`;
    case 'taken': return 'This username is taken. Pick another one.';
    case 'invitation_required': return err.message.includes('not valid')
      ? 'This invitation link is used up or expired. Ask for a new one.'
      : 'Signing up needs an invitation: ask an admin of this Parley for a link.';
    case 'busy': return 'The server is busy. Try again in a moment.';
    default: return err.message || `The server refused (${err.status}).`;
  }
}
