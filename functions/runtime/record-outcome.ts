import { StepFunctionsWorkflow } from '../adapters/sfn/workflow';
import { readWorkflowConfig, type Env } from '../config';
import { createRecordOutcomeStep } from '../steps/record-outcome';
import { baseDeps } from './stores';

/** Records a promotion's outcome and starts what follows it: it needs the state machine itself. */
export function buildRecordOutcomeStep(env: Env) {
  const base = baseDeps(env, 'record-outcome');
  return createRecordOutcomeStep({ ...base, workflow: new StepFunctionsWorkflow(base.aws, readWorkflowConfig(env).STATE_MACHINE_ARN) });
}
