package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/trace"
)

func logLine(t *testing.T, ctx context.Context, level slog.Level) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(&buf, level)).With("fn", "hello")
	log.InfoContext(ctx, "item served", "id", "42")
	if buf.Len() == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("log line %q is not JSON: %v", buf.String(), err)
	}
	return m
}

func TestLogCarriesRequestAndTraceID(t *testing.T) {
	traceID, _ := trace.TraceIDFromHex("5759e988bd862e3fe1be46a994272793")
	spanID, _ := trace.SpanIDFromHex("53995c3f42cd8ad8")
	ctx := trace.ContextWithSpanContext(
		lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"}),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID}))

	m := logLine(t, ctx, slog.LevelInfo)

	want := map[string]any{
		"level":     "INFO",
		"message":   "item served",
		"requestId": "req-1",
		"traceId":   "1-5759e988-bd862e3fe1be46a994272793",
		"fn":        "hello",
		"id":        "42",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if _, ok := m["timestamp"]; !ok {
		t.Error("no timestamp")
	}
}

func TestLogOutsideAnInvocation(t *testing.T) {
	m := logLine(t, context.Background(), slog.LevelInfo)

	if _, ok := m["requestId"]; ok {
		t.Error("requestId outside an invocation")
	}
	if _, ok := m["traceId"]; ok {
		t.Error("traceId without a span")
	}
}

func TestLogLevelFilters(t *testing.T) {
	if m := logLine(t, context.Background(), slog.LevelWarn); m != nil {
		t.Errorf("INFO line written at WARN level: %v", m)
	}
}

func TestLevelFromEnv(t *testing.T) {
	for env, want := range map[string]slog.Level{
		"":      slog.LevelInfo,
		"DEBUG": slog.LevelDebug,
		"TRACE": slog.LevelDebug,
		"warn":  slog.LevelWarn,
		"ERROR": slog.LevelError,
		"FATAL": slog.LevelError,
	} {
		t.Setenv("LOG_LEVEL", "")
		t.Setenv("AWS_LAMBDA_LOG_LEVEL", env)
		if got := LevelFromEnv(); got != want {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=%q: %v, want %v", env, got, want)
		}
	}
}

func TestLogLevelFromTheInfrastructureWins(t *testing.T) {
	t.Setenv("AWS_LAMBDA_LOG_LEVEL", "INFO")
	t.Setenv("LOG_LEVEL", "debug")
	if got := LevelFromEnv(); got != slog.LevelDebug {
		t.Fatalf("LOG_LEVEL=debug with AWS_LAMBDA_LOG_LEVEL=INFO: %v, want DEBUG", got)
	}
}
