//go:build rie && linux

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.opentelemetry.io/proto/otlp/trace/v1"
)

const itemsTable = "gofn-e2e-items"

var itemsOnce sync.Once

// createItems makes the items table with one item, id 42, once per run.
func createItems(t *testing.T) {
	t.Helper()
	itemsOnce.Do(func() {
		ctx := context.Background()
		db := dynamoClient(t)
		if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String(itemsTable),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			BillingMode:          types.BillingModePayPerRequest,
		}); err != nil {
			t.Fatalf("create table: %v", err)
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(itemsTable),
			Item: map[string]types.AttributeValue{
				"id":   &types.AttributeValueMemberS{Value: "42"},
				"name": &types.AttributeValueMemberS{Value: "Ada"},
			},
		}); err != nil {
			t.Fatalf("put item: %v", err)
		}
	})
}

// getHello is the event API Gateway's HTTP API sends for GET /hello/{id} (payload 2.0).
func getHello(id string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "GET /hello/{id}",
		RawPath:        "/hello/" + id,
		PathParameters: map[string]string{"id": id},
	}
	req.RequestContext.HTTP.Method = "GET"
	req.RequestContext.HTTP.Path = req.RawPath
	req.RequestContext.RequestID = "apigw-" + id
	return req
}

func httpResponse(t *testing.T, raw []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 {
		t.Fatalf("not an HTTP API response: %s", raw)
	}
	return resp
}

func TestHello(t *testing.T) {
	createItems(t)
	otel := startCollector(t)
	fn := startFunction(t, "hello",
		"ITEMS_TABLE="+itemsTable,
		"AWS_ENDPOINT_URL="+motoEndpoint(t),
		"OTEL_EXPORTER_OTLP_ENDPOINT="+otel.URL)

	found := httpResponse(t, fn.invoke(t, getHello("42")))
	missing := httpResponse(t, fn.invoke(t, getHello("nope")))
	bad := httpResponse(t, fn.invoke(t, getHello("a b")))

	t.Run("responses", func(t *testing.T) {
		if found.StatusCode != 200 || found.Body != `{"id":"42","name":"Ada"}` {
			t.Errorf("GET /hello/42 = %d %s", found.StatusCode, found.Body)
		}
		if found.Headers["Content-Type"] != "application/json" {
			t.Errorf("Content-Type = %q", found.Headers["Content-Type"])
		}
		if missing.StatusCode != 404 {
			t.Errorf("GET /hello/nope = %d %s", missing.StatusCode, missing.Body)
		}
		if bad.StatusCode != 400 {
			t.Errorf("GET /hello/a b = %d %s", bad.StatusCode, bad.Body)
		}
	})

	t.Run("DynamoDB calls are traced under the invocation", func(t *testing.T) {
		calls := otel.spansNamed("DynamoDB.GetItem")
		if len(calls) != 2 { // 42 and nope; the bad id never reaches DynamoDB
			t.Fatalf("%d DynamoDB.GetItem spans, want 2", len(calls))
		}
		call := calls[0]
		if call.GetKind() != v1.Span_SPAN_KIND_CLIENT {
			t.Errorf("kind = %v", call.GetKind())
		}
		for key, want := range map[string]string{
			"rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "GetItem",
			"aws.dynamodb.table_names": itemsTable,
		} {
			if got := attr(call, key); got != want {
				t.Errorf("%s = %q, want %q", key, got, want)
			}
		}
		parent := otel.spanByID(call.GetParentSpanId())
		if parent == nil || parent.GetName() != "hello" || parent.GetKind() != v1.Span_SPAN_KIND_SERVER {
			t.Fatalf("parent of the DynamoDB span = %v, want the hello server span", parent)
		}
		// The X-Ray ID generator puts the start time in the first 8 hex digits.
		epoch, err := strconv.ParseInt(xrayTraceID(call.GetTraceId())[2:10], 16, 64)
		if err != nil || time.Since(time.Unix(epoch, 0)).Abs() > time.Hour {
			t.Errorf("trace ID %x does not start with the epoch seconds", call.GetTraceId())
		}
	})

	t.Run("logs are JSON with the request and trace IDs", func(t *testing.T) {
		var finished []map[string]any
		for _, l := range fn.logLines() {
			if l["message"] == "invocation finished" {
				finished = append(finished, l)
			}
		}
		if len(finished) != 3 {
			t.Fatalf("%d 'invocation finished' lines, want 3", len(finished))
		}
		for _, l := range finished {
			if id, _ := l["requestId"].(string); id == "" {
				t.Errorf("no requestId in %v", l)
			}
		}
		wantTrace := xrayTraceID(otel.spansNamed("DynamoDB.GetItem")[0].GetTraceId())
		if finished[0]["traceId"] != wantTrace {
			t.Errorf("traceId in the log = %v, want %s (the exported trace)", finished[0]["traceId"], wantTrace)
		}
		if finished[0]["coldStart"] != true || finished[1]["coldStart"] != false {
			t.Errorf("coldStart = %v, %v; want true, false", finished[0]["coldStart"], finished[1]["coldStart"])
		}
	})

	t.Run("REPORT lines show Init Duration on the cold start only", func(t *testing.T) {
		reports := fn.reportLines()
		if len(reports) != 3 {
			t.Fatalf("%d REPORT lines, want 3:\n%s", len(reports), strings.Join(reports, "\n"))
		}
		for i, r := range reports {
			if strings.Contains(r, "Init Duration:") != (i == 0) {
				t.Errorf("REPORT %d: %s", i, r)
			}
		}
	})
}

func TestHelloWithoutTraceHeaderOrCollector(t *testing.T) {
	createItems(t)
	// A developer's machine: no X-Ray daemon, no _X_AMZN_TRACE_ID (the RIE sends none), and
	// either no collector configured or one that is not running.
	for name, env := range map[string][]string{
		"no collector configured": nil,
		"collector down":          {fmt.Sprintf("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:%d", freePort(t))},
	} {
		t.Run(name, func(t *testing.T) {
			fn := startFunction(t, "hello", append(env, "ITEMS_TABLE="+itemsTable, "AWS_ENDPOINT_URL="+motoEndpoint(t))...)

			resp := httpResponse(t, fn.invoke(t, getHello("42")))

			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
			}
			warned := false
			for _, l := range fn.logLines() {
				warned = warned || l["message"] == "trace export failed"
			}
			if want := env != nil; warned != want {
				t.Errorf("'trace export failed' logged: %v, want %v", warned, want)
			}
		})
	}
}

func TestHelloDynamoDBError(t *testing.T) {
	fn := startFunction(t, "hello", "ITEMS_TABLE=gofn-e2e-no-such-table", "AWS_ENDPOINT_URL="+motoEndpoint(t))

	raw := fn.invoke(t, getHello("42"))

	var lambdaErr struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if err := json.Unmarshal(raw, &lambdaErr); err != nil || lambdaErr.ErrorMessage == "" {
		t.Fatalf("want a function error, got %s", raw)
	}
	if !strings.Contains(lambdaErr.ErrorMessage, "ResourceNotFoundException") {
		t.Errorf("errorMessage = %q, want DynamoDB's ResourceNotFoundException", lambdaErr.ErrorMessage)
	}
	failed := false
	for _, l := range fn.logLines() {
		if l["message"] == "invocation failed" && l["level"] == "ERROR" && l["requestId"] != nil {
			failed = true
		}
	}
	if !failed {
		t.Error("no ERROR 'invocation failed' line with a requestId")
	}
}
