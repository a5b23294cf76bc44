import type {
  ChangePasswordRequest,
  CreateRoomRequest,
  Credentials,
  EmailStatus,
  MailAnswer,
  DeleteAccountRequest,
  DirectRoomResult,
  FriendRequestResult,
  FriendsOverview,
  JoinByCodeRequest,
  JoinRoomRequest,
  LeaveRoomResult,
  Profile,
  PublicUser,
  RoomDetails,
  PublicInvitePreview,
  RoomInvitePreview,
  RoomSearchResult,
  RoomSettingsRequest,
  RoomSummary,
  Settings,
  UploadResult
} from '$lib/protocol';
// Values from limits only: the rest of the contract brings the schemas (zod) into every page.
import { IMAGE_TOO_LARGE } from '$lib/protocol/limits';

// The REST API, one function per endpoint, typed with the contract: JSON in and out, cookies
// included, a refusal's `{ error }` text surfaced as ApiError.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a failed call says to the person: the server's words, or a fallback for anything else. */
export function failureText(err: unknown, fallback = 'Something went wrong'): string {
  return err instanceof Error ? err.message : fallback;
}

/** The server's `{ error }` text, when the body carries one. */
function errorText(body: unknown): string | null {
  return body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : null;
}

async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: object): Promise<T> {
  let response: Response;
  // A form (a picture) goes as multipart, with the boundary the browser chooses; anything else as JSON.
  const isForm = body instanceof FormData;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined || isForm ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body)
    });
  } catch {
    throw new ApiError('Cannot reach the server. Check your connection.', 0);
  }
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(errorText(data) ?? `Request failed (${response.status})`, response.status);
  // The server answers with the contract's types; they are not checked again here.
  return data as T;
}

const get = <T>(url: string) => call<T>('GET', url);
const post = <T>(url: string, body: object = {}) => call<T>('POST', url, body);
const put = <T>(url: string, body: object) => call<T>('PUT', url, body);
const del = <T>(url: string) => call<T>('DELETE', url);
const patch = <T>(url: string, body: object) => call<T>('PATCH', url, body);

/** A picture as the multipart form the server reads (field `image`). */
function pictureForm(file: Blob): FormData {
  const form = new FormData();
  form.append('image', file);
  return form;
}

/** An API path whose interpolated parts (ids, invite codes) are URL-encoded. */
function path(strings: TemplateStringsArray, ...parts: string[]): string {
  return strings.reduce((url, text, i) => url + encodeURIComponent(parts[i - 1]) + text);
}

export interface UploadHandle {
  done: Promise<UploadResult>;
  cancel(): void;
}

/** Posted with XMLHttpRequest because fetch cannot report upload progress. */
/** The server will not take this file (not a picture, too big): trying again cannot help. */
export class UploadRefused extends Error {}

function uploadImage(file: File, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadResult>((resolve, reject) => {
    xhr.open('POST', '/api/upload');
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body: unknown = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object' && 'url' in body && typeof body.url === 'string') {
        onProgress(1);
        resolve({ url: body.url });
        return;
      }
      const message = errorText(body) ?? (xhr.status === 413 ? IMAGE_TOO_LARGE : `Upload failed (${xhr.status})`);
      // A 4xx (other than timeouts and limits) is the server refusing this file: the same file
      // would be refused again.
      const refused = xhr.status >= 400 && xhr.status < 500 && xhr.status !== 408 && xhr.status !== 429;
      reject(refused ? new UploadRefused(message) : new Error(message));
    };
    xhr.onerror = () => reject(new Error('The upload failed. Check your connection and try again.'));
    xhr.onabort = () => reject(new Error('Upload cancelled'));
    const form = new FormData();
    form.append('image', file);
    xhr.send(form);
  });
  return { done, cancel: () => xhr.abort() };
}

export const api = {
  auth: {
    me: () => get<PublicUser>('/api/auth/me'),
    /** The signed-in user, or null: never a 401. */
    session: () => get<{ user: PublicUser | null }>('/api/auth/session'),
    login: (credentials: Credentials) => post<PublicUser>('/api/auth/login', credentials),
    register: (credentials: Credentials) => post<PublicUser>('/api/auth/register', credentials),
    /** Ends the session everywhere (every tab and socket of the user). */
    logout: () => post<void>('/api/auth/logout'),
    /** Ends every other session; this browser gets a fresh cookie and stays signed in. */
    changePassword: (body: ChangePasswordRequest) => post<PublicUser>('/api/auth/password', body)
  },
  email: {
    status: () => get<EmailStatus>('/api/email'),
    /** Mails a verification link to the address. */
    add: (email: string) => post<MailAnswer>('/api/email', { email }),
    verify: (token: string) => post<{ email: string }>('/api/email/verify', { token }),
    /** Always the same answer, whether an account has the address or not. */
    forgot: (email: string) => post<MailAnswer>('/api/email/forgot', { email }),
    /** Sets the new password and ends every session of the account. */
    reset: (token: string, password: string) => post<{ ok: true }>('/api/email/reset', { token, password })
  },
  rooms: {
    list: () => get<RoomSummary[]>('/api/rooms'),
    create: (body: CreateRoomRequest) => post<RoomDetails>('/api/rooms', body),
    details: (id: string) => get<RoomDetails>(path`/api/rooms/${id}`),
    /** Owner only. */
    remove: (id: string) => del<void>(path`/api/rooms/${id}`),
    /** Without an invite: a findable room, or one I am already in; any other room answers 404. */
    join: (id: string, body: JoinRoomRequest) => post<RoomDetails>(path`/api/rooms/${id}/join`, body),
    joinByCode: (body: JoinByCodeRequest) => post<RoomDetails>('/api/rooms/join-by-code', body),
    leave: (id: string) => post<LeaveRoomResult>(path`/api/rooms/${id}/leave`),
    /** Owner only: takes a member out of the room. */
    removeMember: (id: string, userId: number) => del<void>(path`/api/rooms/${id}/members/${String(userId)}`),
    /** What an invite shows before joining. */
    invite: (code: string) => get<RoomInvitePreview>(path`/api/rooms/invite/${code}`),
    /** The room an invite leads to, for a visitor not signed in yet. */
    publicInvite: (code: string) => get<PublicInvitePreview>(path`/api/rooms/invite/${code}/public`),
    /** Findable rooms whose name contains `q`, a page at a time. */
    search: (q: string, offset = 0) => get<RoomSearchResult>(`/api/rooms/search?q=${encodeURIComponent(q)}${offset > 0 ? `&offset=${offset}` : ''}`),
    /** Owner only: findable or invite-only. */
    changeSettings: (id: string, body: RoomSettingsRequest) => patch<RoomDetails>(path`/api/rooms/${id}`, body)
  },
  /** Friends, requests, blocks and direct messages (docs/architecture.md#friends-and-direct-messages). */
  friends: {
    overview: () => get<FriendsOverview>('/api/friends'),
    request: (username: string) => post<FriendRequestResult>('/api/friends/requests', { username }),
    accept: (userId: number) => post<void>(path`/api/friends/requests/${String(userId)}/accept`),
    decline: (userId: number) => post<void>(path`/api/friends/requests/${String(userId)}/decline`),
    /** Takes back my own request. */
    cancel: (userId: number) => del<void>(path`/api/friends/requests/${String(userId)}`),
    remove: (userId: number) => del<void>(path`/api/friends/${String(userId)}`),
    /** The badge goes to zero. */
    seen: () => post<void>('/api/friends/seen'),
    block: (target: { userId: number } | { username: string }) => post<void>('/api/friends/blocks', target),
    unblock: (userId: number) => del<void>(path`/api/friends/blocks/${String(userId)}`),
    /** The direct-message room with a friend, created the first time. */
    direct: (userId: number) => post<DirectRoomResult>(path`/api/friends/${String(userId)}/direct`)
  },
  upload: {
    image: uploadImage
  },
  account: {
    profile: () => get<Profile>('/api/account/profile'),
    /** A new profile picture: the server re-encodes it to a small square. */
    setAvatar: (file: Blob) => post<Profile>('/api/account/avatar', pictureForm(file)),
    removeAvatar: () => del<Profile>('/api/account/avatar'),
    settings: () => get<Settings>('/api/account/settings'),
    saveSettings: (settings: Settings) => put<Settings>('/api/account/settings', settings),
    /** Deletes the signed-in account for good; the password confirms it. */
    remove: (body: DeleteAccountRequest) => post<{ ok: true }>('/api/account/delete', body)
  }
};
