package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// A trace header as Lambda sends it in Lambda-Runtime-Trace-Id.
const (
	lambdaTraceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=1:abcd1234:0"
	wantTraceID       = "5759e988bd862e3fe1be46a994272793"
	wantParentSpanID  = "53995c3f42cd8ad8"
)

// invocation returns a context shaped like the one aws-lambda-go hands a handler.
func invocation(requestID, traceHeader string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hello",
	})
	//nolint:staticcheck // the key aws-lambda-go uses
	return context.WithValue(ctx, "x-amzn-trace-id", traceHeader)
}

// captureLogs sends the default logger to a buffer for the test.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(NewLogHandler(&buf, slog.LevelDebug)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

func attrValue(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func spanNamed(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no span %q among %d", name, len(spans))
	return tracetest.SpanStub{}
}

func TestWrapTracesSDKCallsUnderLambdasTrace(t *testing.T) {
	captureLogs(t)
	ddb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-Amz-Target"); got != "DynamoDB_20120810.GetItem" {
			t.Errorf("target = %q", got)
		}
		w.Header().Set("X-Amzn-Requestid", "DDBREQ1")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"Item":{"id":{"S":"42"}}}`))
	}))
	defer ddb.Close()
	exp := tracetest.NewInMemoryExporter()
	tr := NewTracing("hello", exp)
	client := dynamodb.New(dynamodb.Options{
		Region:         "us-east-1",
		BaseEndpoint:   aws.String(ddb.URL),
		Credentials:    aws.AnonymousCredentials{},
		TracerProvider: tr.SDK(),
		APIOptions:     []func(*middleware.Stack) error{AWSCallAttributes},
	})
	h := Wrap(tr, func(ctx context.Context, id string) (string, error) {
		_, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String("items"),
			Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
		})
		return "ok", err
	})

	if _, err := h(invocation("req-1", lambdaTraceHeader), "42"); err != nil {
		t.Fatal(err)
	}

	spans := exp.GetSpans()
	fn := spanNamed(t, spans, "hello")
	if fn.SpanContext.TraceID().String() != wantTraceID || fn.Parent.SpanID().String() != wantParentSpanID {
		t.Errorf("function span trace %s parent %s, want Lambda's %s / %s",
			fn.SpanContext.TraceID(), fn.Parent.SpanID(), wantTraceID, wantParentSpanID)
	}
	if fn.SpanKind != trace.SpanKindServer {
		t.Errorf("function span kind = %v", fn.SpanKind)
	}
	call := spanNamed(t, spans, "DynamoDB.GetItem")
	if call.Parent.SpanID() != fn.SpanContext.SpanID() {
		t.Error("DynamoDB span is not a child of the function span")
	}
	if call.SpanKind != trace.SpanKindClient {
		t.Errorf("DynamoDB span kind = %v", call.SpanKind)
	}
	ro := call.Snapshot()
	for key, want := range map[string]string{"rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "GetItem", "aws.request_id": "DDBREQ1"} {
		if v, ok := attrValue(ro, key); !ok || v.AsString() != want {
			t.Errorf("DynamoDB span %s = %q, want %q", key, v.Emit(), want)
		}
	}
	if v, _ := attrValue(ro, "aws.dynamodb.table_names"); len(v.AsStringSlice()) != 1 || v.AsStringSlice()[0] != "items" {
		t.Errorf("DynamoDB span table names = %v, want [items]", v.AsStringSlice())
	}
	if v, _ := attrValue(ro, "http.status_code"); v.AsInt64() != 200 {
		t.Errorf("DynamoDB span http.status_code = %v", v.Emit())
	}
	if n := len(spans); n != 2 {
		t.Errorf("%d spans, want 2: the function's and one per SDK call", n)
	}
	if call.Status.Code == codes.Error {
		t.Errorf("DynamoDB span status = %v", call.Status)
	}
}

func TestWrapMarksColdStartOnce(t *testing.T) {
	captureLogs(t)
	exp := tracetest.NewInMemoryExporter()
	tr := NewTracing("hello", exp)
	h := Wrap(tr, func(context.Context, string) (string, error) { return "", nil })

	for i := range 2 {
		if _, err := h(invocation("req", lambdaTraceHeader), ""); err != nil {
			t.Fatal(err)
		}
		spans := exp.GetSpans()
		v, _ := attrValue(spans[len(spans)-1].Snapshot(), "faas.coldstart")
		if v.AsBool() != (i == 0) {
			t.Errorf("invocation %d: faas.coldstart = %v", i, v.AsBool())
		}
	}
}

func TestWrapReturnsErrorsAndRecordsThem(t *testing.T) {
	logs := captureLogs(t)
	exp := tracetest.NewInMemoryExporter()
	cause := errors.New("dynamodb: throttled")
	h := Wrap(NewTracing("hello", exp), func(context.Context, string) (string, error) { return "", cause })

	_, err := h(invocation("req-9", lambdaTraceHeader), "")

	if !errors.Is(err, cause) {
		t.Fatalf("err = %v", err)
	}
	if s := spanNamed(t, exp.GetSpans(), "hello"); s.Status.Code != codes.Error {
		t.Errorf("span status = %v, want Error", s.Status)
	}
	var line map[string]any
	for l := range strings.Lines(logs.String()) {
		_ = json.Unmarshal([]byte(l), &line)
		if line["message"] == "invocation failed" {
			break
		}
	}
	if line["message"] != "invocation failed" || line["requestId"] != "req-9" || line["error"] != cause.Error() {
		t.Errorf("last log line = %v, want an invocation failed line with requestId and error", line)
	}
	if line["traceId"] != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("traceId = %v", line["traceId"])
	}
}

func TestWrapTurnsPanicIntoError(t *testing.T) {
	captureLogs(t)
	h := Wrap(NewTracing("hello", nil), func(context.Context, string) (string, error) { panic("nil map") })

	_, err := h(invocation("req", ""), "")

	if err == nil || !strings.Contains(err.Error(), "nil map") {
		t.Fatalf("err = %v, want the panic as an error", err)
	}
}

func TestWrapWithoutTraceHeaderOrExporter(t *testing.T) {
	captureLogs(t)
	// The local run: no _X_AMZN_TRACE_ID, no collector. Tracing must stay out of the way.
	t.Setenv("_X_AMZN_TRACE_ID", "")
	h := Wrap(NewTracing("hello", nil), func(ctx context.Context, _ string) (string, error) {
		if !trace.SpanContextFromContext(ctx).IsValid() {
			t.Error("no span in the handler context; logs would lack a traceId")
		}
		return "ok", nil
	})

	if out, err := h(invocation("req", ""), ""); err != nil || out != "ok" {
		t.Fatalf("got %q, %v", out, err)
	}
}

type failingExporter struct{ calls int }

func (f *failingExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	f.calls++
	return errors.New("connection refused")
}
func (f *failingExporter) Shutdown(context.Context) error { return nil }

func TestWrapSurvivesExportFailure(t *testing.T) {
	logs := captureLogs(t)
	exp := &failingExporter{}
	h := Wrap(NewTracing("hello", exp), func(context.Context, string) (string, error) { return "ok", nil })

	out, err := h(invocation("req", lambdaTraceHeader), "")

	if err != nil || out != "ok" {
		t.Fatalf("got %q, %v; an export failure must not fail the invocation", out, err)
	}
	if exp.calls != 1 {
		t.Errorf("export calls = %d, want 1 (flushed before returning)", exp.calls)
	}
	if !strings.Contains(logs.String(), "trace export failed") {
		t.Error("export failure not logged")
	}
}

func TestWrapSkipsExportWhenLambdaDidNotSample(t *testing.T) {
	captureLogs(t)
	exp := tracetest.NewInMemoryExporter()
	h := Wrap(NewTracing("hello", exp), func(context.Context, string) (string, error) { return "", nil })

	if _, err := h(invocation("req", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"), ""); err != nil {
		t.Fatal(err)
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Errorf("exported %d spans of an unsampled trace", n)
	}
}

func TestWrapKeepsTimeToReport(t *testing.T) {
	captureLogs(t)
	outer := time.Now().Add(3 * time.Second)
	var inner time.Time
	h := Wrap(NewTracing("hello", nil), func(ctx context.Context, _ string) (string, error) {
		inner, _ = ctx.Deadline()
		return "", nil
	})
	ctx, cancel := context.WithDeadline(invocation("req", ""), outer)
	defer cancel()

	if _, err := h(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := outer.Sub(inner); got != deadlineReserve {
		t.Errorf("handler deadline is %v before Lambda's, want %v", got, deadlineReserve)
	}
}

func TestWrapLeavesNoGoroutines(t *testing.T) {
	captureLogs(t)
	exp := tracetest.NewInMemoryExporter()
	h := Wrap(NewTracing("hello", exp), func(context.Context, string) (string, error) { return "", nil })
	before := runtime.NumGoroutine()

	for range 20 {
		if _, err := h(invocation("req", lambdaTraceHeader), ""); err != nil {
			t.Fatal(err)
		}
	}

	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after 20 invocations", before, after)
	}
}
