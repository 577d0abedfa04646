// One place that talks to the host: adds the session's API key and turns RFC 7807 problem details into ApiError.

const KEY_STORAGE = 'outreachos.apiKey';

export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
    readonly errors: Record<string, string[]> | null,
    /** The whole problem document (RFC 7807 extensions such as a blocked draft's findings), when the host sent one. */
    readonly problem: Record<string, unknown> | null = null,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

type Listener = (error: ApiError) => void;
const unauthorizedListeners = new Set<Listener>();
/** The shell listens so that a revoked or mistyped key sends the user back to the key form. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: fall back to the status text */
  }
  const p = (body ?? {}) as { title?: string; detail?: string; errors?: Record<string, string[]> };
  const problem = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  return new ApiError(response.status, p.title ?? (response.statusText || `HTTP ${response.status}`), p.detail ?? null, p.errors ?? null, problem);
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = getApiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'The server could not be reached', (e as Error).message, null);
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401) unauthorizedListeners.forEach((l) => l(error));
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
};

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[] }[];
}

export async function graphql<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const result = await request<GraphQLResponse<T>>('POST', '/graphql', { query, variables: variables ?? {} }, signal);
  if (result.errors?.length) {
    throw new ApiError(200, 'The query failed', result.errors.map((e) => e.message).join('; '), null);
  }
  return result.data as T;
}
