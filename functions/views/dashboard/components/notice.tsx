import { shown } from '../format';

/**
 * What the last POST did, from `?done=` (PRG): only words from `messages` are
 * shown, nothing from the URL is echoed. A polite status region either way.
 */
export function Notice({ done, messages, detail }: { done: string | undefined; messages: Readonly<Record<string, string>>; detail?: string | undefined }) {
  const message = done !== undefined && Object.hasOwn(messages, done) ? messages[done] : undefined;
  return (
    <div role="status" class={message ? 'flash' : 'flash-empty'}>
      {message ? `${message}${detail ? ` ${shown(detail)}` : ''}` : ''}
    </div>
  );
}
