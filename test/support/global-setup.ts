// Replaced once DynamoDB Local wiring lands; kept minimal so other suites can run.
export default async function setup(): Promise<void> {}
