import { buildReconciler } from '../runtime/reconcile';

export const handler = buildReconciler(process.env);
