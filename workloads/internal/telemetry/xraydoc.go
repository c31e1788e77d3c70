package telemetry

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// How spans become X-Ray subsegment documents, the format the X-Ray daemon forwards (X-Ray's
// "segment documents", a subsegment sent on its own):
//
//   - Each span of the invocation becomes one subsegment with "type": "subsegment", the span's
//     ID as "id", its trace as "trace_id" (1-<epoch>-<random>) and its parent span as
//     "parent_id". The function's span is parented to Lambda's AWS::Lambda::Function segment,
//     whose ID Lambda passes as Parent in the trace header; the SDK's call spans hang under the
//     function's span. Spans of a trace that did not come from Lambda have no segment to hang
//     under and are not sent.
//   - An AWS SDK call (rpc.system=aws-api) is in the "aws" namespace and named after the
//     service ("DynamoDB", "SQS"), which is how X-Ray infers the downstream node of the service
//     graph; "aws" holds operation, region, request_id, table_name or queue_url and retries,
//     "http" the response status.
//   - error, throttle and fault follow X-Ray's meaning: a 4xx answer is an error (a 429 or a
//     throttling error code is also a throttle), a 5xx answer or a call with no answer at all
//     (timeout, connection refused) is a fault. The function's own span is a fault when the
//     handler failed. "cause" carries the exception: the service's error code and message for
//     an AWS call (remote), the handler's error for the function's span.
//   - The function's span carries the cold start as the annotation ColdStart.

type subsegment struct {
	Type        string         `json:"type"`
	ID          string         `json:"id"`
	TraceID     string         `json:"trace_id"`
	ParentID    string         `json:"parent_id"`
	Name        string         `json:"name"`
	StartTime   float64        `json:"start_time"`
	EndTime     float64        `json:"end_time"`
	Namespace   string         `json:"namespace,omitempty"`
	Error       bool           `json:"error,omitempty"`
	Throttle    bool           `json:"throttle,omitempty"`
	Fault       bool           `json:"fault,omitempty"`
	Cause       *xrayCause     `json:"cause,omitempty"`
	AWS         *xrayAWS       `json:"aws,omitempty"`
	HTTP        *xrayHTTP      `json:"http,omitempty"`
	Annotations map[string]any `json:"annotations,omitempty"`
}

type xrayAWS struct {
	Operation  string   `json:"operation,omitempty"`
	Region     string   `json:"region,omitempty"`
	RequestID  string   `json:"request_id,omitempty"`
	TableName  string   `json:"table_name,omitempty"`
	TableNames []string `json:"table_names,omitempty"`
	QueueURL   string   `json:"queue_url,omitempty"`
	Retries    int64    `json:"retries,omitempty"`
}

type xrayHTTP struct {
	Response xrayHTTPResponse `json:"response"`
}

type xrayHTTPResponse struct {
	Status        int64 `json:"status"`
	ContentLength int64 `json:"content_length,omitempty"`
}

type xrayCause struct {
	Exceptions []xrayException `json:"exceptions"`
}

type xrayException struct {
	ID      string `json:"id"`
	Message string `json:"message,omitempty"`
	Type    string `json:"type,omitempty"`
	Remote  bool   `json:"remote,omitempty"`
}

// maxMessage bounds an exception message, so a document stays far below the daemon's 64 KB.
const maxMessage = 1024

// subsegmentDocuments renders the spans that belong under a Lambda segment as JSON documents.
func subsegmentDocuments(spans []sdktrace.ReadOnlySpan) ([][]byte, error) {
	byID := make(map[trace.SpanID]sdktrace.ReadOnlySpan, len(spans))
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	var docs [][]byte
	var errs []error
	for _, s := range spans {
		if !underLambdaSegment(s, byID) {
			continue
		}
		doc, err := json.Marshal(toSubsegment(s))
		if err != nil {
			errs = append(errs, fmt.Errorf("subsegment %q: %w", s.Name(), err))
			continue
		}
		docs = append(docs, doc)
	}
	return docs, errors.Join(errs...)
}

// underLambdaSegment reports whether s descends, within this batch, from a span whose parent is
// remote: the segment Lambda recorded for the invocation.
func underLambdaSegment(s sdktrace.ReadOnlySpan, byID map[trace.SpanID]sdktrace.ReadOnlySpan) bool {
	for range len(byID) + 1 {
		parent := s.Parent()
		switch {
		case !parent.IsValid():
			return false
		case parent.IsRemote():
			return true
		}
		next, ok := byID[parent.SpanID()]
		if !ok {
			return false
		}
		s = next
	}
	return false // a cycle; cannot happen with SDK spans
}

func toSubsegment(s sdktrace.ReadOnlySpan) subsegment {
	attrs := make(map[attribute.Key]attribute.Value, len(s.Attributes()))
	for _, kv := range s.Attributes() {
		attrs[kv.Key] = kv.Value
	}
	str := func(k attribute.Key) string { return attrs[k].AsString() }

	seg := subsegment{
		Type:      "subsegment",
		ID:        s.SpanContext().SpanID().String(),
		TraceID:   XRayTraceID(s.SpanContext().TraceID()),
		ParentID:  s.Parent().SpanID().String(),
		Name:      s.Name(),
		StartTime: epochSeconds(s.StartTime()),
		EndTime:   epochSeconds(s.EndTime()),
	}

	awsCall := s.SpanKind() == trace.SpanKindClient && str("rpc.system") == "aws-api"
	switch {
	case awsCall:
		seg.Namespace = "aws"
		if service := str("rpc.service"); service != "" {
			seg.Name = service
		}
		seg.AWS = &xrayAWS{
			Operation: str("rpc.method"),
			Region:    str(attrAWSRegion),
			RequestID: str("aws.request_id"),
			QueueURL:  str(semconv.AWSSQSQueueURLKey),
		}
		if tables := attrs[semconv.AWSDynamoDBTableNamesKey].AsStringSlice(); len(tables) == 1 {
			seg.AWS.TableName = tables[0]
		} else if len(tables) > 1 {
			seg.AWS.TableNames = tables
		}
		if attempt := attrs["operation.attempt"].AsInt64(); attempt > 1 {
			seg.AWS.Retries = attempt - 1
		}
	case s.SpanKind() == trace.SpanKindClient:
		seg.Namespace = "remote"
	}
	if v, ok := attrs["faas.coldstart"]; ok && v.Type() == attribute.BOOL {
		seg.Annotations = map[string]any{"ColdStart": v.AsBool()}
	}

	status := attrs["http.status_code"].AsInt64()
	if status > 0 {
		seg.HTTP = &xrayHTTP{Response: xrayHTTPResponse{Status: status, ContentLength: attrs["http.response_content_length"].AsInt64()}}
	}
	errorCode := str("api.error_code")
	_, throttleCode := retry.DefaultThrottleErrorCodes[errorCode]
	failed := s.Status().Code == codes.Error
	seg.Throttle = failed && (status == 429 || throttleCode)
	switch {
	case status >= 500:
		seg.Fault = true
	case status >= 400, seg.Throttle, failed && str("api.error_fault") == "client":
		seg.Error = true
	case failed:
		seg.Fault = true
	}
	if seg.Error || seg.Fault {
		seg.Cause = exceptions(s, attrs, errorCode)
	}
	seg.Name = subsegmentName(seg.Name)
	return seg
}

// exceptions describes why s failed: the service's error for an AWS call (the SDK records
// api.error_code and api.error_message; the message without the request ID, so the same
// failure reads the same in every trace), otherwise the recorded error.
func exceptions(s sdktrace.ReadOnlySpan, attrs map[attribute.Key]attribute.Value, errorCode string) *xrayCause {
	var list []xrayException
	if errorCode != "" {
		list = append(list, xrayException{Type: errorCode, Message: attrs["api.error_message"].AsString(), Remote: true})
	} else if msg := attrs["exception.message"].AsString(); msg != "" {
		list = append(list, xrayException{Type: attrs["exception.type"].AsString(), Message: msg})
	}
	for _, ev := range s.Events() {
		if len(list) > 0 || ev.Name != "exception" {
			continue
		}
		e := xrayException{}
		for _, kv := range ev.Attributes {
			switch kv.Key {
			case "exception.type":
				e.Type = kv.Value.AsString()
			case "exception.message":
				e.Message = kv.Value.AsString()
			}
		}
		list = append(list, e)
	}
	if len(list) == 0 {
		if d := s.Status().Description; d != "" {
			list = append(list, xrayException{Message: d})
		} else {
			return nil
		}
	}
	for i := range list {
		list[i].ID = randomID()
		list[i].Message = truncate(list[i].Message, maxMessage)
	}
	return &xrayCause{Exceptions: list}
}

func epochSeconds(t time.Time) float64 {
	return float64(t.UnixMicro()) / 1e6
}

// randomID is a 64-bit ID in 16 hex digits, as X-Ray wants for an exception.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// subsegmentName keeps the characters X-Ray allows in a name (letters, digits, white space and
// _.:/%&#=+\-@) and at most 200 of them.
func subsegmentName(name string) string {
	out := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune(`_.:/%&#=+\-@`, r) {
			return r
		}
		return '_'
	}, name)
	if utf8.RuneCountInString(out) > 200 {
		out = string([]rune(out)[:200])
	}
	if out == "" {
		return "_"
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
