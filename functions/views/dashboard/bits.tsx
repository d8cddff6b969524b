import type { Child } from 'hono/jsx';
import { shortDigest, shown, when } from './format';

/**
 * An image: by default the short digest on screen with the whole reference in
 * the title and for screen readers; `full` shows the whole reference (where
 * people decide on it: the exact digest is what gets deployed).
 */
export function ImageRef({ image, full = false }: { image: string; full?: boolean }) {
  if (full) return <code>{shown(image)}</code>;
  return (
    <code class="digest" title={shown(image)}>
      <span aria-hidden="true">{shortDigest(shown(image))}</span>
      <span class="vh">{shown(image)}</span>
    </code>
  );
}

/** A time as text a person reads, machine-readable in `datetime`. */
export function Time({ at }: { at: string | undefined }) {
  if (!at) return <span>—</span>;
  return <time datetime={shown(at)}>{when(at)}</time>;
}

/** A warning that is announced as text, not shown by colour only. */
export function Warning({ children }: { children?: Child }) {
  return (
    <p class="warn">
      <strong>Warning: </strong>
      {children}
    </p>
  );
}

const FLASH: Record<string, string> = {
  approved: 'You approved; the request is decided and the environment will now be deployed.',
  rejected: 'You rejected; the request is decided and the environment stays as it is.',
  voted: 'Your approval is recorded; the request still needs more approvals.',
  cancelled: 'The release is cancelled: every open request of it is closed.',
};

/** The outcome of the last POST, from `?done=` (known words only: nothing from the URL is echoed). */
export function Flash({ done }: { done: string | undefined }) {
  const message = done !== undefined && Object.hasOwn(FLASH, done) ? FLASH[done] : undefined;
  return (
    <div role="status" class={message ? 'flash' : 'flash-empty'}>
      {message ?? ''}
    </div>
  );
}
