import { messages, type DiagnosticCode, type DiagnosticParams } from "./messages.js";
import type { Span } from "./span.js";

export type Severity = "error" | "warning";

/** A user-facing problem: a stable code, typed parameters and the span it points at. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  span: Span;
  params: Record<string, string | number>;
  /** Rendered from the message table; kept so diagnostics survive JSON round trips. */
  message: string;
}

/** The only way to build a diagnostic: the code picks the parameter type. */
export function diagnostic<C extends DiagnosticCode>(
  code: C,
  span: Span,
  params: DiagnosticParams<C>,
  severity: Severity = "error",
): Diagnostic {
  const render = messages[code] as (p: unknown) => string;
  const ps = (params ?? {}) as Record<string, string | number>;
  return { code, severity, span, params: ps, message: render(ps) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * A value or the diagnostics that prevented it. `value` may be present together with
 * warnings; it is absent when an error made the value meaningless.
 */
export interface Result<T> {
  value?: T;
  diagnostics: Diagnostic[];
}
