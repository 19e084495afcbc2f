/** The service's API from the browser: the bearer token in sessionStorage, errors in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The error body's stable `code` (e.g. `lease_lost`): pages branch on it, never on words. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const TOKEN = 'rd.token';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
}

export async function signIn(
  email: string,
  password: string,
): Promise<{ id: string; role: string }> {
  const res = await call<{ accessToken: string; user: { id: string; role: string } }>(
    'POST',
    '/auth/login',
    {
      email,
      password,
    },
  );
  sessionStorage.setItem(TOKEN, res.accessToken);
  return res.user;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token() ? { authorization: `Bearer ${token()}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'The network is down or the service cannot be reached; try again.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as {
    message?: string;
    code?: string;
    details?: { field: string; message: string }[];
  };
  if (!res.ok) {
    const details = (data.details ?? []).map((d) => `${d.field}: ${d.message}`).join('; ');
    throw new ApiError(
      res.status,
      [data.message ?? `Error ${res.status}`, details].filter(Boolean).join(' — '),
      typeof data.code === 'string' ? data.code : null,
    );
  }
  return data as T;
}
