/** An awsJson1_1 error the control plane answers: its code (`__type`, `x-amzn-ErrorType`) and message. */
export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
