import type { Env } from '../config';
import { createRecordOutcomeStep } from '../steps/record-outcome';
import { baseDeps } from './stores';

export const buildRecordOutcomeStep = (env: Env) => createRecordOutcomeStep(baseDeps(env, 'record-outcome'));
