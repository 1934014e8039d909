// Public entry point of the trace readers: real workload (SWF), GPU cluster (Alibaba) and availability (churn) traces
// that scenarios replay. Re-exports only; the line-streaming helper in lines.ts stays internal.
// Import from here rather than from the individual files.
export { TraceFileError } from "./errors.ts"
export * from "./swf.ts"
export * from "./churnTrace.ts"
export * from "./alibaba.ts"
