import { PipelineGraph } from './pipeline-graph';
import { statusLabel } from './format';
import type { ReleaseModel } from './release-model';
import { StageCard } from './stage-card';

/** What the page says when it changes: the release and each environment in words. */
export function liveSummary(model: ReleaseModel): string {
  const stages = model.stages.map((s) => `${s.environment} ${statusLabel(s.status)}`).join(', ');
  return `Release ${statusLabel(model.release.status)}: ${stages}.`;
}

/**
 * The part of the release page that changes while it runs: the graph and the
 * stages. Served alone by `GET /releases/:id/live`, which the page's script
 * polls and swaps in; `data-finished` tells it when to stop.
 */
export function ReleaseLive({ model }: { model: ReleaseModel }) {
  return (
    <div class="live" data-finished={model.finished ? 'true' : 'false'} data-summary={liveSummary(model)}>
      <h2 id="pipeline-h">Pipeline</h2>
      <PipelineGraph stages={model.stages} waves={model.waves} />
      <h2>Environments</h2>
      {model.stages.map((stage) => (
        <StageCard stage={stage} />
      ))}
    </div>
  );
}
