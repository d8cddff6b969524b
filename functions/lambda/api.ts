import { handle } from 'hono/aws-lambda';
import { createApp } from '../api/app';
import { buildApiDeps } from '../runtime/api';

export const handler = handle(createApp(buildApiDeps(process.env)));
