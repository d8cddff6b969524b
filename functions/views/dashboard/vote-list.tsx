import type { Vote } from '../../domain/approval';
import { Time } from './bits';
import { shown } from './format';

/** Who voted what, with their comment and when. */
export function VoteList({ votes }: { votes: Vote[] }) {
  if (votes.length === 0) return <p class="muted">No votes yet.</p>;
  return (
    <ul class="votes">
      {votes.map((vote) => (
        <li>
          {shown(vote.voter)}: <strong>{vote.decision === 'approve' ? 'approved' : 'rejected'}</strong>
          {vote.comment ? <> — “{shown(vote.comment)}”</> : ''} (<Time at={vote.at} />)
        </li>
      ))}
    </ul>
  );
}
