import { buildEventsHandler } from '../runtime/events';

export const handler = buildEventsHandler(process.env);
