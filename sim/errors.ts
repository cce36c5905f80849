// The one error type handlers throw; the protocol layers turn it into an ECS JSON or an EC2 XML error.

export class SimApiError extends Error {
  constructor(
    /** The wire error code, e.g. `InvalidParameterException` or `InvalidInstanceID.NotFound`. */
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'SimApiError';
  }
}

/** ECS answers malformed or out-of-range parameters with this code. */
export function invalidParameter(message: string): SimApiError {
  return new SimApiError('InvalidParameterException', message);
}

export function clientException(message: string): SimApiError {
  return new SimApiError('ClientException', message);
}
