import type { DiffLine } from '../../../domain/config-diff';
import { shown } from '../format';

const KIND: Record<DiffLine['kind'], string> = { added: 'added', removed: 'removed', changed: 'changed', same: 'unchanged' };

/**
 * A configuration diff as a table: the path, what changed in words (never by
 * colour alone), the value before and after. Secret references show as
 * `secretRef(name/key)`; secrets themselves are never in configuration.
 */
export function ConfigDiffTable({ lines, caption }: { lines: DiffLine[]; caption: string }) {
  if (lines.length === 0) return <p class="muted">No configuration differences.</p>;
  return (
    <table class="grid config-diff">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Change</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr class={`diff-${line.kind === 'added' ? 'add' : line.kind === 'removed' ? 'del' : 'ctx'}`}>
            <th scope="row">
              <code>{shown(line.path)}</code>
            </th>
            <td>{KIND[line.kind]}</td>
            <td>{line.before === undefined ? '—' : <code>{shown(line.before)}</code>}</td>
            <td>{line.after === undefined ? '—' : <code>{shown(line.after)}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A stored unified diff text ('- path = before' / '+ path = after'), as approvers were emailed it, with each line's sign spelled out for screen readers. */
export function ConfigDiffText({ text }: { text: string | undefined }) {
  if (!text) return <p class="muted">No configuration differences.</p>;
  return (
    <pre class="diff">
      {text.split('\n').map((line) => {
        const sign = line.startsWith('+ ') ? 'add' : line.startsWith('- ') ? 'del' : 'ctx';
        return (
          <span class={`diff-${sign}`}>
            <span class="vh">{sign === 'add' ? 'added: ' : sign === 'del' ? 'removed: ' : ''}</span>
            {shown(line)}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
