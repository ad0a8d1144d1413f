import type { ApiClient } from './api';

/**
 * Downloads an export with the bearer token: a plain link cannot carry the Authorization
 * header, so the file is fetched and handed to the browser as a Blob URL.
 */
export async function downloadExport(api: ApiClient, path: string, fallbackName: string): Promise<string> {
  const response = await api.request<Response>('GET', path, { raw: true });
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoked a while later: revoking at once can cancel a download the browser has not started.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return name;
}
