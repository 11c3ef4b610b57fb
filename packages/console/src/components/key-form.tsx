import { useState } from 'preact/hooks';
import { getKey, setKey } from '../key-store';

/** The API key, kept in this browser's localStorage. */
export function KeyForm({ onSaved }: { onSaved(key: string): void }) {
  const [value, setValue] = useState(getKey());
  const [saved, setSaved] = useState(getKey() !== '');
  return (
    <form
      class="key-form"
      onSubmit={(e) => {
        e.preventDefault();
        const key = value.trim();
        setKey(key);
        setSaved(key !== '');
        onSaved(key);
      }}
    >
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        spellcheck={false}
        placeholder="cairn_…"
        value={value}
        onInput={(e) => {
          setValue((e.target as HTMLInputElement).value);
          setSaved(false);
        }}
      />
      <button type="submit">{saved ? 'Saved' : 'Save'}</button>
    </form>
  );
}
