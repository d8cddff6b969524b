import type { Child } from 'hono/jsx';
import { ImageRef, Time } from './bits';
import { CheckList } from './check-list';
import { idFor, shown } from './format';
import type { StageModel } from './release-model';
import { StatusBadge } from './status-badge';
import { VoteList } from './vote-list';

/** One environment's promotion in full: times, approval, votes, checks and where its execution history is. */
export function StageCard({ stage }: { stage: StageModel }) {
  const s = stage.stage;
  const headingId = idFor('stage', stage.environment);
  return (
    <section class="card" aria-labelledby={`${headingId}-h`} id={headingId}>
      <h3 id={`${headingId}-h`}>
        {shown(stage.environment)} <StatusBadge status={stage.status} />
      </h3>
      {s?.detail ? <p>{shown(s.detail)}</p> : ''}
      {s ? (
        <table>
          <tbody>
            <Row label="Image">
              <ImageRef image={s.image} />
            </Row>
            {s.previousImage ? (
              <Row label="Previous image">
                <ImageRef image={s.previousImage} />
              </Row>
            ) : (
              ''
            )}
            <Row label="Started">
              <Time at={s.startedAt} />
            </Row>
            <Row label="Deploy started">
              <Time at={s.deployStartedAt} />
            </Row>
            <Row label="Rolled out">
              <Time at={s.rolledOutAt} />
            </Row>
            <Row label="Finished">
              <Time at={s.finishedAt} />
            </Row>
            {s.approvedBy?.length ? <Row label="Approved by">{s.approvedBy.map(shown).join(', ')}</Row> : ''}
          </tbody>
        </table>
      ) : (
        <p class="muted">Not started: it starts once {stage.after.map(shown).join(' and ') || 'the release starts'} succeeded.</p>
      )}
      {stage.request ? (
        <>
          <h4>Approval</h4>
          <p>
            <StatusBadge status={stage.request.status} /> {shown(stage.approvalSummary)}
          </p>
          <VoteList votes={stage.request.votes} />
        </>
      ) : (
        ''
      )}
      <h4>Checks</h4>
      <CheckList checks={s?.checks} environment={stage.environment} />
      {stage.executionUrl ? (
        <p>
          <a href={stage.executionUrl}>Execution history of {shown(stage.environment)}</a>
        </p>
      ) : (
        ''
      )}
    </section>
  );
}

function Row({ label, children }: { label: string; children?: Child }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{children}</td>
    </tr>
  );
}
