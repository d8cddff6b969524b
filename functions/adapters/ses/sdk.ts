// What Gatekeeper uses of @aws-sdk/client-ses. mailer.ts imports this module dynamically (on the first
// email), and esbuild keeps every export of a dynamically imported module: naming them here keeps the rest out.
export { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
