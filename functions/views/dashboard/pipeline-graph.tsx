import { Time } from './bits';
import { idFor, shown } from './format';
import type { StageModel } from './release-model';
import { StatusBadge } from './status-badge';

/**
 * The pipeline as a graph, in HTML and CSS only: one column per wave
 * (`buildPipeline(...).waves`), connectors drawn by the stylesheet, and the
 * edges said in words too ("after staging") for whoever cannot see lines.
 */
export function PipelineGraph({ stages, waves }: { stages: StageModel[]; waves: string[][] }) {
  const byName = new Map(stages.map((s) => [s.environment, s]));
  return (
    <ol class="pipeline" aria-label="Pipeline, wave by wave">
      {waves.map((wave, i) => (
        <li class="wave">
          <span class="vh">Wave {i + 1}: </span>
          <ul>
            {wave.map((name) => {
              const stage = byName.get(name);
              return stage ? <Node stage={stage} /> : '';
            })}
          </ul>
        </li>
      ))}
    </ol>
  );
}

function Node({ stage }: { stage: StageModel }) {
  const s = stage.stage;
  const votes = stage.request?.votes ?? [];
  return (
    <li class="node">
      <a href={`#${idFor('stage', stage.environment)}`}>
        <strong>{shown(stage.environment)}</strong>
      </a>{' '}
      <StatusBadge status={stage.status} />
      {stage.after.length > 0 ? <div class="muted">after {stage.after.map(shown).join(', ')}</div> : <div class="muted">starts the pipeline</div>}
      {s ? (
        <div>
          started <Time at={s.startedAt} />
          {s.finishedAt ? (
            <>
              , ended <Time at={s.finishedAt} />
            </>
          ) : (
            ''
          )}
        </div>
      ) : (
        ''
      )}
      {stage.request ? (
        <div>
          {votes.length} vote{votes.length === 1 ? '' : 's'}: {shown(stage.approvalSummary)}
        </div>
      ) : (
        ''
      )}
    </li>
  );
}
