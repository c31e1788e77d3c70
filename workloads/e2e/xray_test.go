//go:build rie && linux

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// xrayDaemon stands in for the X-Ray daemon Lambda runs next to a function with active
// tracing: a UDP socket on loopback, named to the function in AWS_XRAY_DAEMON_ADDRESS.
type xrayDaemon struct {
	conn *net.UDPConn
}

func startXRayDaemon(t *testing.T) *xrayDaemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &xrayDaemon{conn: conn}
}

func (d *xrayDaemon) env() string { return "AWS_XRAY_DAEMON_ADDRESS=" + d.conn.LocalAddr().String() }

// documents returns the segment documents received since the last call. The function sends
// them before it answers, and invoke waits for the REPORT line that follows the answer, so
// they are in the socket's buffer already.
func (d *xrayDaemon) documents(t *testing.T) []map[string]any {
	t.Helper()
	var docs []map[string]any
	buf := make([]byte, 70*1024)
	for {
		_ = d.conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _, err := d.conn.ReadFromUDP(buf)
		if err != nil {
			return docs
		}
		header, body, _ := bytes.Cut(buf[:n], []byte("\n"))
		if string(header) != `{"format": "json", "version": 1}` {
			t.Errorf("daemon header = %q", header)
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("not a JSON document: %v: %s", err, body)
		}
		docs = append(docs, doc)
	}
}

// lambdaTrace is a trace header as Lambda makes one: a new trace, the ID of the
// AWS::Lambda::Function segment as Parent, and the sampling decision.
func lambdaTrace(sampled bool) (header, root, parent string) {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	root = fmt.Sprintf("1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:12]))
	parent = hex.EncodeToString(b[12:])
	s := "0"
	if sampled {
		s = "1"
	}
	return fmt.Sprintf("Root=%s;Parent=%s;Sampled=%s;Lineage=1:abcd1234:0", root, parent, s), root, parent
}

func docNamed(t *testing.T, docs []map[string]any, name string) map[string]any {
	t.Helper()
	for _, d := range docs {
		if d["name"] == name {
			return d
		}
	}
	t.Fatalf("no subsegment %q among %v", name, docs)
	return nil
}

func field(doc map[string]any, keys ...string) any {
	var v any = doc
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// checkSubsegment checks what every document must have to be attached to Lambda's trace.
func checkSubsegment(t *testing.T, doc map[string]any, root, parentID string) {
	t.Helper()
	if doc["type"] != "subsegment" || doc["trace_id"] != root || doc["parent_id"] != parentID {
		t.Errorf("%v: type %v, trace_id %v, parent_id %v; want a subsegment of %s under %s",
			doc["name"], doc["type"], doc["trace_id"], doc["parent_id"], root, parentID)
	}
	start, _ := doc["start_time"].(float64)
	end, _ := doc["end_time"].(float64)
	if start <= 0 || end < start || time.Since(time.Unix(int64(start), 0)).Abs() > time.Minute {
		t.Errorf("%v: start_time %v, end_time %v", doc["name"], doc["start_time"], doc["end_time"])
	}
}

func TestHelloSendsSubsegmentsToTheXRayDaemon(t *testing.T) {
	createItems(t)
	daemon := startXRayDaemon(t)
	fn := startTracedFunction(t, "hello", "ITEMS_TABLE="+itemsTable, "AWS_ENDPOINT_URL="+motoEndpoint(t), daemon.env())

	header, root, parent := lambdaTrace(true)
	fn.setTraceHeader(header)
	if resp := httpResponse(t, fn.invoke(t, getHello("42"))); resp.StatusCode != 200 {
		t.Fatalf("GET /hello/42 = %d %s", resp.StatusCode, resp.Body)
	}

	docs := daemon.documents(t)
	if len(docs) != 2 {
		t.Fatalf("%d documents, want 2 (the function's, the GetItem call's): %v", len(docs), docs)
	}
	invocation := docNamed(t, docs, "hello")
	checkSubsegment(t, invocation, root, parent)
	if field(invocation, "annotations", "ColdStart") != true {
		t.Errorf("function subsegment annotations = %v, want ColdStart true", invocation["annotations"])
	}
	call := docNamed(t, docs, "DynamoDB")
	checkSubsegment(t, call, root, invocation["id"].(string))
	for key, want := range map[string]any{
		"namespace": "aws", "aws.operation": "GetItem", "aws.table_name": itemsTable,
		"aws.region": "us-east-1", "http.response.status": float64(200),
	} {
		if got := field(call, strings.Split(key, ".")...); got != want {
			t.Errorf("DynamoDB subsegment %s = %v, want %v", key, got, want)
		}
	}
	if call["error"] != nil || call["fault"] != nil {
		t.Errorf("DynamoDB subsegment of a successful call: error %v, fault %v", call["error"], call["fault"])
	}
	if id, _ := field(call, "aws", "request_id").(string); id == "" {
		t.Error("DynamoDB subsegment has no request_id")
	}
	var logged any
	for _, l := range fn.logLines() {
		if l["message"] == "invocation finished" {
			logged = l["traceId"]
		}
	}
	if logged != root {
		t.Errorf("the log's traceId = %v, want Lambda's %s", logged, root)
	}

	t.Run("a request that never reaches DynamoDB has the function's subsegment only", func(t *testing.T) {
		header, root, parent := lambdaTrace(true)
		fn.setTraceHeader(header)
		fn.invoke(t, getHello("a b"))
		docs := daemon.documents(t)
		if len(docs) != 1 {
			t.Fatalf("%d documents, want 1: %v", len(docs), docs)
		}
		checkSubsegment(t, docNamed(t, docs, "hello"), root, parent)
		if field(docs[0], "annotations", "ColdStart") != false {
			t.Errorf("annotations = %v on a warm invocation", docs[0]["annotations"])
		}
	})

	t.Run("an invocation Lambda did not sample sends nothing", func(t *testing.T) {
		header, _, _ := lambdaTrace(false)
		fn.setTraceHeader(header)
		fn.invoke(t, getHello("42"))
		if docs := daemon.documents(t); len(docs) != 0 {
			t.Errorf("%d documents for an unsampled trace: %v", len(docs), docs)
		}
	})
}

func TestHelloDynamoDBErrorInXRay(t *testing.T) {
	daemon := startXRayDaemon(t)
	fn := startTracedFunction(t, "hello", "ITEMS_TABLE=gofn-e2e-no-such-table", "AWS_ENDPOINT_URL="+motoEndpoint(t), daemon.env())
	header, root, parent := lambdaTrace(true)
	fn.setTraceHeader(header)

	fn.invoke(t, getHello("42"))

	docs := daemon.documents(t)
	invocation := docNamed(t, docs, "hello")
	checkSubsegment(t, invocation, root, parent)
	if invocation["fault"] != true || !strings.Contains(fmt.Sprint(field(invocation, "cause")), "ResourceNotFoundException") {
		t.Errorf("function subsegment: fault %v, cause %v; want the handler's error as a fault", invocation["fault"], invocation["cause"])
	}
	call := docNamed(t, docs, "DynamoDB")
	checkSubsegment(t, call, root, invocation["id"].(string))
	exceptions, _ := field(call, "cause", "exceptions").([]any)
	if call["error"] != true || call["fault"] != nil || len(exceptions) != 1 ||
		field(exceptions[0].(map[string]any), "type") != "ResourceNotFoundException" ||
		field(call, "http", "response", "status") != float64(400) {
		t.Errorf("DynamoDB subsegment = %v; want a 400 error (not a fault) with the ResourceNotFoundException", call)
	}
}

func TestOrdersWorkerSendsSubsegmentsToTheXRayDaemon(t *testing.T) {
	const table = "gofn-e2e-orders-xray"
	ctx := context.Background()
	db := dynamoClient(t)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("orderId"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("orderId"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatalf("create table: %v", err)
	}
	daemon := startXRayDaemon(t)
	fn := startTracedFunction(t, "orders-worker", "ORDERS_TABLE="+table, "AWS_ENDPOINT_URL="+motoEndpoint(t), daemon.env())
	header, root, parent := lambdaTrace(true)
	fn.setTraceHeader(header)

	// The same order twice: the second write fails its condition, and the worker counts that
	// as done (the first write wins).
	raw := fn.invoke(t, events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord("m-1", `{"orderId":"o-1","customerId":"c-7","totalCents":1250}`),
		sqsRecord("m-2", `{"orderId":"o-1","customerId":"c-7","totalCents":1250}`),
	}})

	var resp events.SQSEventResponse
	if err := json.Unmarshal(raw, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("response %s, want no failures", raw)
	}
	docs := daemon.documents(t)
	invocation := docNamed(t, docs, "orders-worker")
	checkSubsegment(t, invocation, root, parent)
	// One subsegment per message under the invocation (the message's span, linked to its
	// producer), and each message's DynamoDB call under its message.
	messages := map[string]bool{}
	for _, d := range docs {
		if d["name"] == "process orders" {
			checkSubsegment(t, d, root, invocation["id"].(string))
			messages[d["id"].(string)] = true
		}
	}
	if len(messages) != 2 {
		t.Fatalf("%d message subsegments, want one per message (2)", len(messages))
	}
	var puts []map[string]any
	for _, d := range docs {
		if d["name"] == "DynamoDB" {
			if !messages[fmt.Sprint(d["parent_id"])] {
				t.Errorf("DynamoDB subsegment under %v, not under a message subsegment", d["parent_id"])
			}
			checkSubsegment(t, d, root, d["parent_id"].(string))
			if d["namespace"] != "aws" || field(d, "aws", "operation") != "PutItem" || field(d, "aws", "table_name") != table {
				t.Errorf("DynamoDB subsegment = %v", d)
			}
			puts = append(puts, d)
		}
	}
	if len(puts) != 2 {
		t.Fatalf("%d PutItem subsegments, want 2", len(puts))
	}
	if puts[0]["error"] != nil || puts[1]["error"] != true || puts[1]["fault"] != nil ||
		!strings.Contains(fmt.Sprint(puts[1]["cause"]), "ConditionalCheckFailedException") {
		t.Errorf("the first write is clean and the redelivered one a 4xx error, got %v and %v", puts[0], puts[1])
	}
	if invocation["fault"] != nil {
		t.Errorf("function subsegment fault = %v: the batch succeeded", invocation["fault"])
	}
}
