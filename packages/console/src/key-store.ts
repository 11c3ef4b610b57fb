const STORAGE_KEY = 'cairn.apiKey';

/** The API key lives in localStorage: the console is a page on the API's own origin. */
export function getKey(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setKey(key: string): void {
  if (key) localStorage.setItem(STORAGE_KEY, key);
  else localStorage.removeItem(STORAGE_KEY);
}
