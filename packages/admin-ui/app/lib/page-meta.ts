/** What the server rendered into the shell's `<meta>` tags (docs/guides/admin.md). */
export interface PageMeta {
  /** The URL path of the API prefix as the browser reaches it, e.g. `/api/v1`. */
  base: string;
  /** The view the shell was opened for: `overview` or `create` (the data-entry path). */
  view: string;
  bulkMax: number;
  appName: string;
}

export function readPageMeta(doc: Document): PageMeta {
  const read = (name: string) => doc.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
  const bulkMax = Number(read('app-bulk-max'));
  return {
    base: read('app-base').replace(/\/$/, ''),
    view: read('app-view') || 'overview',
    bulkMax: Number.isInteger(bulkMax) && bulkMax > 0 ? bulkMax : 100,
    appName: read('app-name') || 'Backend API',
  };
}
