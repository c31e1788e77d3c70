package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/otel/codes"
)

const (
	// deadlineReserve is kept back from the handler's deadline so that, when a downstream
	// call runs out the clock, the handler still returns its own error and the spans are
	// still flushed before Lambda ends the invocation as "Task timed out".
	deadlineReserve = 500 * time.Millisecond
	// flushTimeout bounds the export, to the X-Ray daemon or the collector: both run next to
	// the function, in the same execution environment.
	flushTimeout = 400 * time.Millisecond
)

// Handler is the shape of a typed Lambda handler, as lambda.Start accepts it.
type Handler[In, Out any] func(context.Context, In) (Out, error)

// Wrap instruments h for Lambda. For each invocation it continues the trace Lambda started,
// opens the function's span (the parent of the SDK's DynamoDB and SQS spans), gives h a
// context whose deadline leaves time to report, turns a panic into an error, logs one
// "invocation finished" line (durationMs, coldStart, error), and exports the spans before
// returning, so nothing is left running once the handler is done.
func Wrap[In, Out any](t *Tracing, h Handler[In, Out]) Handler[In, Out] {
	return func(ctx context.Context, in In) (Out, error) {
		started := time.Now()
		cold := t.cold.Swap(false)
		ctx, span := t.startInvocation(ctx, cold)

		hctx, cancel := withReserve(ctx, deadlineReserve)
		out, err := callSafely(hctx, h, in)
		cancel()

		attrs := []slog.Attr{
			slog.Int64("durationMs", time.Since(started).Milliseconds()),
			slog.Bool("coldStart", cold),
		}
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			slog.LogAttrs(ctx, slog.LevelError, "invocation failed", append(attrs, slog.String("error", err.Error()))...)
		} else {
			slog.LogAttrs(ctx, slog.LevelInfo, "invocation finished", attrs...)
		}
		span.End()

		fctx, cancelFlush := context.WithTimeout(ctx, flushTimeout)
		defer cancelFlush()
		if ferr := t.flush(fctx); ferr != nil {
			// Telemetry never fails an invocation: traces are worth less than the answer.
			slog.WarnContext(ctx, "trace export failed", "error", ferr.Error())
		}
		return out, err
	}
}

// withReserve shortens ctx's deadline by reserve, unless that would leave less than reserve.
func withReserve(ctx context.Context, reserve time.Duration) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) < 2*reserve {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}

// callSafely runs h and returns a panic as an error. aws-lambda-go would report the panic too,
// but then exits the process; recovering keeps the environment warm and the span recorded.
func callSafely[In, Out any](ctx context.Context, h Handler[In, Out], in In) (out Out, err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.ErrorContext(ctx, "handler panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return h(ctx, in)
}
