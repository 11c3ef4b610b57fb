import { useState } from 'preact/hooks';

/** A collapsible JSON tree: objects and arrays fold with a button, keyboard included. */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <div class="json" role="tree" aria-label={label ?? 'JSON'}>
      <Node value={value} depth={0} />
    </div>
  );
}

function Node({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const [open, setOpen] = useState(depth < 2);
  const key = name !== undefined ? <span class="json-key">{JSON.stringify(name)}: </span> : null;
  if (value === null || typeof value !== 'object') {
    const cls = value === null ? 'json-null' : `json-${typeof value}`;
    return (
      <div class="json-row" role="treeitem">
        {key}
        <span class={cls}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  const [openMark, closeMark] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div class="json-row" role="treeitem">
        {key}
        {openMark}
        {closeMark}
      </div>
    );
  }
  return (
    <div class="json-row" role="treeitem" aria-expanded={open}>
      <button type="button" class="json-toggle" aria-label={open ? 'Fold' : 'Unfold'} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'}
      </button>
      {key}
      {openMark}
      {open ? (
        <div class="json-children" role="group">
          {entries.map(([k, v]) => (
            <Node key={k} value={v} depth={depth + 1} {...(Array.isArray(value) ? {} : { name: k })} />
          ))}
        </div>
      ) : (
        <span class="json-more"> {entries.length} {Array.isArray(value) ? 'items' : 'keys'} </span>
      )}
      {closeMark}
    </div>
  );
}
