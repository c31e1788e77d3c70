// Package telemetry wires the signals gofn's runbook reads from a Go function: one JSON log
// object per line carrying the Lambda request ID and X-Ray trace ID, and OpenTelemetry spans
// with X-Ray compatible IDs, so the AWS SDK's DynamoDB and SQS calls show up as subsegments.
package telemetry

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/trace"
)

// NewLogHandler returns a slog handler that writes JSON with Lambda's key names (timestamp,
// level, message) and adds requestId and traceId to every record logged with an invocation
// context. lambdacontext.NewLogHandler does the same but only emits JSON when the function's
// log format is JSON; the runbook's queries need JSON whatever the infrastructure says.
func NewLogHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return invocationHandler{next: slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: lambdacontext.ReplaceAttr,
	})}
}

// SetDefault makes a NewLogHandler logger writing to w the default, for slog and for the log
// package. Lines from the log package (aws-lambda-go prints each error payload it reports)
// come out as WARN: ERROR is kept for this module's own lines, which carry the request ID,
// so counting ERROR lines counts failures once.
func SetDefault(w io.Writer) {
	slog.SetDefault(slog.New(NewLogHandler(w, LevelFromEnv())))
	slog.SetLogLoggerLevel(slog.LevelWarn)
}

// LevelFromEnv reads the function's log level: LOG_LEVEL, which the infrastructure sets, else
// the application log level Lambda passes in AWS_LAMBDA_LOG_LEVEL (from the function's logging
// config), else INFO. Lambda drops JSON lines below its application level anyway; reading the
// level here saves writing (and encoding) them.
func LevelFromEnv() slog.Level {
	level := os.Getenv("LOG_LEVEL")
	if level == "" {
		level = os.Getenv("AWS_LAMBDA_LOG_LEVEL")
	}
	switch strings.ToUpper(level) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

type invocationHandler struct{ next slog.Handler }

func (h invocationHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle reads the IDs from the context at write time, so a logger created once at init
// still tags each line with the invocation it belongs to.
func (h invocationHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("requestId", lc.AwsRequestID))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("traceId", XRayTraceID(sc.TraceID())))
	}
	return h.next.Handle(ctx, r)
}

func (h invocationHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return invocationHandler{next: h.next.WithAttrs(attrs)}
}

func (h invocationHandler) WithGroup(name string) slog.Handler {
	return invocationHandler{next: h.next.WithGroup(name)}
}

// XRayTraceID renders an OpenTelemetry trace ID the way X-Ray and the REPORT line print it
// (1-<8 hex epoch seconds>-<24 hex>), so a log line can be pasted into the X-Ray console.
func XRayTraceID(id trace.TraceID) string {
	s := id.String()
	return "1-" + s[:8] + "-" + s[8:]
}
