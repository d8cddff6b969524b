// What Gatekeeper uses of @aws-sdk/client-sfn. workflow.ts imports this module dynamically (on first
// use), and esbuild keeps every export of a dynamically imported module: naming them here keeps the rest out.
export {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
