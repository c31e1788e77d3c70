package telemetry

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
)

// fakeDaemon stands in for the X-Ray daemon Lambda runs: a UDP socket on loopback.
type fakeDaemon struct {
	conn *net.UDPConn
}

func startFakeDaemon(t *testing.T) *fakeDaemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &fakeDaemon{conn: conn}
}

func (d *fakeDaemon) addr() string { return d.conn.LocalAddr().String() }

// received is one datagram, split into the daemon header and the decoded document.
type received struct {
	header string
	raw    []byte
	doc    map[string]any
}

// drain returns what arrived. The exporter writes before the handler returns, so everything
// is already in the socket's buffer; the short deadline only ends the read.
func (d *fakeDaemon) drain(t *testing.T) []received {
	t.Helper()
	var out []received
	buf := make([]byte, 70*1024)
	for {
		_ = d.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, _, err := d.conn.ReadFromUDP(buf)
		if err != nil {
			return out
		}
		header, body, ok := bytes.Cut(buf[:n], []byte("\n"))
		if !ok {
			t.Fatalf("datagram without a header line: %q", buf[:n])
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("document is not JSON: %v: %s", err, body)
		}
		out = append(out, received{header: string(header) + "\n", raw: append([]byte(nil), body...), doc: doc})
	}
}

func named(t *testing.T, docs []received, name string) map[string]any {
	t.Helper()
	for _, d := range docs {
		if d.doc["name"] == name {
			return d.doc
		}
	}
	t.Fatalf("no subsegment %q among %d documents", name, len(docs))
	return nil
}

// path reads a nested field, e.g. path(doc, "aws", "operation").
func path(doc map[string]any, keys ...string) any {
	var v any = doc
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// awsFake answers AWS JSON-protocol calls: DynamoDB GetItem and SQS SendMessage.
func awsFake(t *testing.T, answer func(w http.ResponseWriter, target string, body []byte)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		answer(w, r.Header.Get("X-Amz-Target"), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func okAnswer(w http.ResponseWriter, target string, body []byte) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch target {
	case "DynamoDB_20120810.GetItem":
		w.Header().Set("X-Amzn-Requestid", "DDBREQ1")
		_, _ = w.Write([]byte(`{"Item":{"id":{"S":"42"}}}`))
	case "AmazonSQS.SendMessage":
		var in struct{ MessageBody string }
		_ = json.Unmarshal(body, &in)
		sum := md5.Sum([]byte(in.MessageBody))
		w.Header().Set("X-Amzn-Requestid", "SQSREQ1")
		fmt.Fprintf(w, `{"MessageId":"m-1","MD5OfMessageBody":%q}`, hex.EncodeToString(sum[:]))
	default:
		http.Error(w, "unexpected "+target, http.StatusBadRequest)
	}
}

func awsError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", "ERRREQ1")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, code, message)
}

func testDynamoDB(tr *Tracing, url string, maxAttempts int) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:         "eu-west-1",
		BaseEndpoint:   aws.String(url),
		Credentials:    aws.AnonymousCredentials{},
		TracerProvider: tr.SDK(),
		APIOptions:     []func(*middleware.Stack) error{AWSCallAttributes},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = time.Millisecond
		}),
	})
}

func getItem(ctx context.Context, db *dynamodb.Client) error {
	_, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("items"),
		Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "42"}},
	})
	return err
}

func daemonTracing(t *testing.T, d *fakeDaemon) *Tracing {
	t.Helper()
	exp, err := NewXRayDaemonExporter(d.addr())
	if err != nil {
		t.Fatal(err)
	}
	return NewTracing("hello", exp)
}

func TestXRayDaemonGetsSubsegmentsForSDKCalls(t *testing.T) {
	captureLogs(t)
	daemon := startFakeDaemon(t)
	tr := daemonTracing(t, daemon)
	fake := awsFake(t, okAnswer)
	db := testDynamoDB(tr, fake.URL, 3)
	queue := sqs.New(sqs.Options{
		Region:         "eu-west-1",
		BaseEndpoint:   aws.String(fake.URL),
		Credentials:    aws.AnonymousCredentials{},
		TracerProvider: tr.SDK(),
		APIOptions:     []func(*middleware.Stack) error{AWSCallAttributes},
	})
	const queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
	h := Wrap(tr, func(ctx context.Context, _ string) (string, error) {
		if err := getItem(ctx, db); err != nil {
			return "", err
		}
		_, err := queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("hi")})
		return "ok", err
	})

	before := time.Now()
	if _, err := h(invocation("req-1", lambdaTraceHeader), ""); err != nil {
		t.Fatal(err)
	}
	after := time.Now()

	docs := daemon.drain(t)
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3 (the function's and one per call)", len(docs))
	}
	for _, d := range docs {
		if d.header != `{"format": "json", "version": 1}`+"\n" {
			t.Errorf("header = %q", d.header)
		}
		if d.doc["type"] != "subsegment" || d.doc["trace_id"] != "1-5759e988-bd862e3fe1be46a994272793" {
			t.Errorf("type %v, trace_id %v; want a subsegment of Lambda's trace", d.doc["type"], d.doc["trace_id"])
		}
		start, _ := d.doc["start_time"].(float64)
		end, _ := d.doc["end_time"].(float64)
		lo, hi := float64(before.UnixMicro())/1e6, float64(after.UnixMicro())/1e6
		if start < lo || end > hi || end < start {
			t.Errorf("%v: start %f end %f, want within the invocation [%f, %f]", d.doc["name"], start, end, lo, hi)
		}
		if id, _ := d.doc["id"].(string); len(id) != 16 {
			t.Errorf("id = %q, want 16 hex digits", id)
		}
		for _, flag := range []string{"error", "fault", "throttle", "cause"} {
			if _, ok := d.doc[flag]; ok {
				t.Errorf("%v has %s on a successful call: %s", d.doc["name"], flag, d.raw)
			}
		}
	}

	fn := named(t, docs, "hello")
	if fn["parent_id"] != wantParentSpanID {
		t.Errorf("function subsegment parent_id = %v, want Lambda's segment %s", fn["parent_id"], wantParentSpanID)
	}
	if fn["namespace"] != nil {
		t.Errorf("function subsegment namespace = %v, want none", fn["namespace"])
	}
	if path(fn, "annotations", "ColdStart") != true {
		t.Errorf("annotations = %v, want ColdStart true", fn["annotations"])
	}

	ddb := named(t, docs, "DynamoDB")
	for key, want := range map[string]any{
		"namespace": "aws", "parent_id": fn["id"],
	} {
		if ddb[key] != want {
			t.Errorf("DynamoDB %s = %v, want %v", key, ddb[key], want)
		}
	}
	for keys, want := range map[[2]string]any{
		{"aws", "operation"}: "GetItem", {"aws", "table_name"}: "items", {"aws", "region"}: "eu-west-1",
		{"aws", "request_id"}: "DDBREQ1", {"http", "response"}: map[string]any{"status": float64(200), "content_length": float64(26)},
	} {
		if got := path(ddb, keys[0], keys[1]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("DynamoDB %s.%s = %v, want %v", keys[0], keys[1], got, want)
		}
	}
	if path(ddb, "aws", "retries") != nil {
		t.Errorf("retries = %v on a first-attempt success", path(ddb, "aws", "retries"))
	}

	q := named(t, docs, "SQS")
	if q["namespace"] != "aws" || q["parent_id"] != fn["id"] || path(q, "aws", "operation") != "SendMessage" ||
		path(q, "aws", "queue_url") != queueURL || path(q, "aws", "request_id") != "SQSREQ1" {
		t.Errorf("SQS subsegment = %s", q)
	}
}

func TestXRayDaemonMarksFailedCalls(t *testing.T) {
	for name, tc := range map[string]struct {
		answer                 func(http.ResponseWriter)
		closed                 bool
		error, throttle, fault bool
		exceptionType, message string
		status                 float64
	}{
		"missing table (400)": {
			answer: func(w http.ResponseWriter) {
				awsError(w, 400, "ResourceNotFoundException", "Requested resource not found")
			},
			error:         true,
			exceptionType: "ResourceNotFoundException",
			message:       "Requested resource not found",
			status:        400,
		},
		"throttled (400 ThrottlingException)": {
			answer:        func(w http.ResponseWriter) { awsError(w, 400, "ThrottlingException", "Rate exceeded") },
			error:         true,
			throttle:      true,
			exceptionType: "ThrottlingException",
			message:       "Rate exceeded",
			status:        400,
		},
		"server error (500)": {
			answer:        func(w http.ResponseWriter) { awsError(w, 500, "InternalServerError", "Internal server error") },
			fault:         true,
			exceptionType: "InternalServerError",
			message:       "Internal server error",
			status:        500,
		},
		"no answer (connection refused)": {
			closed: true,
			fault:  true,
		},
	} {
		t.Run(name, func(t *testing.T) {
			captureLogs(t)
			daemon := startFakeDaemon(t)
			tr := daemonTracing(t, daemon)
			fake := awsFake(t, func(w http.ResponseWriter, _ string, _ []byte) { tc.answer(w) })
			if tc.closed {
				fake.Close()
			}
			db := testDynamoDB(tr, fake.URL, 1)
			h := Wrap(tr, func(ctx context.Context, _ string) (string, error) { return "", getItem(ctx, db) })

			_, err := h(invocation("req-1", lambdaTraceHeader), "")

			if err == nil {
				t.Fatal("the handler's error was lost")
			}
			docs := daemon.drain(t)
			ddb := named(t, docs, "DynamoDB")
			if ddb["error"] == true != tc.error || ddb["throttle"] == true != tc.throttle || ddb["fault"] == true != tc.fault {
				t.Errorf("error %v throttle %v fault %v, want %v %v %v: %s", ddb["error"], ddb["throttle"], ddb["fault"],
					tc.error, tc.throttle, tc.fault, named(t, docs, "DynamoDB"))
			}
			exc, _ := path(ddb, "cause", "exceptions").([]any)
			if len(exc) != 1 {
				t.Fatalf("cause = %v, want one exception", ddb["cause"])
			}
			e := exc[0].(map[string]any)
			if id, _ := e["id"].(string); len(id) != 16 {
				t.Errorf("exception id = %v", e["id"])
			}
			if tc.exceptionType != "" && (e["type"] != tc.exceptionType || e["message"] != tc.message || e["remote"] != true) {
				t.Errorf("exception = %v, want %s: %s from the service", e, tc.exceptionType, tc.message)
			}
			if tc.closed && (e["message"] == nil || e["remote"] != nil) {
				t.Errorf("exception = %v, want the local error, not remote", e)
			}
			if got, _ := path(ddb, "http", "response", "status").(float64); got != tc.status {
				t.Errorf("http status = %v, want %v", got, tc.status)
			}

			fn := named(t, docs, "hello")
			if fn["fault"] != true {
				t.Errorf("function subsegment fault = %v, want true: the handler failed", fn["fault"])
			}
			fexc, _ := path(fn, "cause", "exceptions").([]any)
			if len(fexc) != 1 || !strings.Contains(fmt.Sprint(fexc[0].(map[string]any)["message"]), "GetItem") {
				t.Errorf("function cause = %v, want the handler's error", fn["cause"])
			}
		})
	}
}

func TestXRayDaemonRecordsRetries(t *testing.T) {
	captureLogs(t)
	daemon := startFakeDaemon(t)
	tr := daemonTracing(t, daemon)
	var calls atomic.Int32
	fake := awsFake(t, func(w http.ResponseWriter, target string, body []byte) {
		if calls.Add(1) == 1 {
			awsError(w, 500, "InternalServerError", "try again")
			return
		}
		okAnswer(w, target, body)
	})
	db := testDynamoDB(tr, fake.URL, 3)
	h := Wrap(tr, func(ctx context.Context, _ string) (string, error) { return "", getItem(ctx, db) })

	if _, err := h(invocation("req-1", lambdaTraceHeader), ""); err != nil {
		t.Fatal(err)
	}

	ddb := named(t, daemon.drain(t), "DynamoDB")
	if path(ddb, "aws", "retries") != float64(1) || ddb["fault"] != nil || path(ddb, "http", "response", "status") != float64(200) {
		t.Errorf("after one retry: %v", ddb)
	}
}

func TestXRayDaemonSendsNothingOutsideLambdasTrace(t *testing.T) {
	for name, header := range map[string]string{
		"no trace header (local run)": "",
		"Lambda did not sample":       "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
	} {
		t.Run(name, func(t *testing.T) {
			captureLogs(t)
			t.Setenv("_X_AMZN_TRACE_ID", "")
			daemon := startFakeDaemon(t)
			tr := daemonTracing(t, daemon)
			db := testDynamoDB(tr, awsFake(t, okAnswer).URL, 1)
			h := Wrap(tr, func(ctx context.Context, _ string) (string, error) { return "ok", getItem(ctx, db) })

			if out, err := h(invocation("req-1", header), ""); err != nil || out != "ok" {
				t.Fatalf("got %q, %v", out, err)
			}
			if docs := daemon.drain(t); len(docs) != 0 {
				t.Errorf("%d documents sent, want none: %s", len(docs), docs[0].raw)
			}
		})
	}
}

func TestXRayDaemonDownNeverFailsTheInvocation(t *testing.T) {
	logs := captureLogs(t)
	// A port nobody listens on: the kernel answers the datagrams with "port unreachable",
	// which a later write on the same socket reports as an error.
	daemon := startFakeDaemon(t)
	addr := daemon.addr()
	daemon.conn.Close()
	exp, err := NewXRayDaemonExporter(addr)
	if err != nil {
		t.Fatal(err)
	}
	h := Wrap(NewTracing("hello", exp), func(context.Context, string) (string, error) { return "ok", nil })

	for i := range 5 {
		if out, err := h(invocation("req", lambdaTraceHeader), ""); err != nil || out != "ok" {
			t.Fatalf("invocation %d: %q, %v; a missing daemon must not fail it", i, out, err)
		}
	}
	if !strings.Contains(logs.String(), "trace export failed") {
		t.Error("the failed sends were not logged")
	}
}

func TestXRayDaemonLeavesNoGoroutines(t *testing.T) {
	captureLogs(t)
	daemon := startFakeDaemon(t)
	h := Wrap(daemonTracing(t, daemon), func(context.Context, string) (string, error) { return "", nil })
	before := runtime.NumGoroutine()

	for range 20 {
		if _, err := h(invocation("req", lambdaTraceHeader), ""); err != nil {
			t.Fatal(err)
		}
	}

	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after 20 invocations", before, after)
	}
	if n := len(daemon.drain(t)); n != 20 {
		t.Errorf("%d documents, want 20 (one per invocation, sent before it returned)", n)
	}
}

func TestXRayDaemonAddress(t *testing.T) {
	for address, want := range map[string]string{
		"169.254.79.129:2000":                   "169.254.79.129:2000",
		"tcp:127.0.0.1:2000 udp:127.0.0.2:2001": "127.0.0.2:2001",
		"udp:127.0.0.3:2002 tcp:127.0.0.1:2000": "127.0.0.3:2002",
	} {
		exp, err := NewXRayDaemonExporter(address)
		if err != nil {
			t.Errorf("%q: %v", address, err)
			continue
		}
		if got := exp.(*xrayDaemonExporter).addr.String(); got != want {
			t.Errorf("%q: sends to %s, want %s", address, got, want)
		}
	}
	for _, bad := range []string{"tcp:127.0.0.1:2000", "no-port"} {
		if _, err := NewXRayDaemonExporter(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestExporterFromEnvPicksOne(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"nothing set (local)":        {env: nil, want: "<nil>"},
		"Lambda's daemon":            {env: map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000"}, want: "*telemetry.xrayDaemonExporter"},
		"a collector takes priority": {env: map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"}, want: "*otlptrace.Exporter"},
		"switched off":               {env: map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000", "OTEL_TRACES_EXPORTER": "none"}, want: "<nil>"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"AWS_XRAY_DAEMON_ADDRESS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"} {
				t.Setenv(k, tc.env[k])
			}
			exp, err := ExporterFromEnv(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", exp); got != tc.want {
				t.Errorf("exporter %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSubsegmentName(t *testing.T) {
	for in, want := range map[string]string{
		"DynamoDB":                  "DynamoDB",
		"orders-worker":             "orders-worker",
		"a<b>{c}":                   "a_b__c_",
		"":                          "_",
		strings.Repeat("x", 250):    strings.Repeat("x", 200),
		"café au lait @ 10:00 #1+2": "café au lait @ 10:00 #1+2",
	} {
		if got := subsegmentName(in); got != want {
			t.Errorf("subsegmentName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := truncate("ééé", 3); got != "é" {
		t.Errorf("truncate cut a rune: %q", got)
	}
}
