import { buildRecordOutcomeStep } from '../runtime/record-outcome';

export const handler = buildRecordOutcomeStep(process.env);
