import { el, STS_NAMESPACE, xmlDocument } from "./xml.js";

/**
 * An error the simulated AWS service answers with. Thrown inside the action handlers and turned
 * into the service's own error document (STS and EC2 use different shapes) in one place.
 */
export class AwsFault extends Error {
  readonly code: string;
  readonly status: number;
  /** "Sender" for client faults, "Receiver" for server faults (STS reports it). */
  readonly type: "Sender" | "Receiver";

  constructor(code: string, message: string, status = 400, type: "Sender" | "Receiver" = "Sender") {
    super(message);
    this.name = "AwsFault";
    this.code = code;
    this.status = status;
    this.type = type;
  }
}

/** STS (awsQuery): `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function stsErrorXml(fault: AwsFault, requestId: string): string {
  return xmlDocument(
    "ErrorResponse",
    STS_NAMESPACE,
    el("Error", el("Type", fault.type), el("Code", fault.code), el("Message", fault.message)),
    el("RequestId", requestId),
  );
}

/** EC2 (ec2Query): `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`, no namespace. */
export function ec2ErrorXml(fault: AwsFault, requestId: string): string {
  const body = el(
    "Response",
    el("Errors", el("Error", el("Code", fault.code), el("Message", fault.message))),
    el("RequestID", requestId),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body.xml}`;
}

export const validationError = (message: string) => new AwsFault("ValidationError", message, 400);
export const invalidParameterValue = (message: string) => new AwsFault("InvalidParameterValue", message, 400);
export const missingParameter = (name: string) =>
  new AwsFault("MissingParameter", `The request must contain the parameter ${name}`, 400);
