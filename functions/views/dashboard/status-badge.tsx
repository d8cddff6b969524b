import { statusLabel } from './format';

type Tone = 'ok' | 'bad' | 'wait' | 'run' | 'muted';

const TONES: Record<string, Tone> = {
  succeeded: 'ok',
  approved: 'ok',
  failed: 'bad',
  rolled_back: 'bad',
  rollback_failed: 'bad',
  rejected: 'bad',
  waiting_for_approval: 'wait',
  pending: 'muted',
  queued: 'run',
  running: 'run',
  expired: 'muted',
  cancelled: 'muted',
  superseded: 'muted',
};

/** A sign before the word, so the status never rests on colour alone (and reads the same in high contrast). */
const MARKS: Record<Tone, string> = { ok: '✓', bad: '✗', wait: '…', run: '»', muted: '–' };

/** A status as a word with a mark; the colour only repeats what the text says. */
export function StatusBadge({ status }: { status: string }) {
  const tone = TONES[status] ?? 'muted';
  return (
    <span class={`badge tone-${tone}`}>
      <span aria-hidden="true">{MARKS[tone]} </span>
      {statusLabel(status)}
    </span>
  );
}
