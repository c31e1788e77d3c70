//go:build rie && linux

package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const ordersTable = "gofn-e2e-orders"

func sqsRecord(id, body string) events.SQSMessage {
	return events.SQSMessage{
		MessageId:      id,
		ReceiptHandle:  "rh-" + id,
		Body:           body,
		Attributes:     map[string]string{"ApproximateReceiveCount": "1"},
		EventSource:    "aws:sqs",
		EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
		AWSRegion:      "us-east-1",
	}
}

func getOrder(t *testing.T, db *dynamodb.Client, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(ordersTable),
		Key:       map[string]types.AttributeValue{"orderId": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestOrdersWorker(t *testing.T) {
	ctx := context.Background()
	db := dynamoClient(t)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(ordersTable),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("orderId"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("orderId"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatalf("create table: %v", err)
	}
	// An order already saved by an earlier delivery of the same message.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(ordersTable),
		Item: map[string]types.AttributeValue{
			"orderId":    &types.AttributeValueMemberS{Value: "o-dup"},
			"customerId": &types.AttributeValueMemberS{Value: "first"},
			"totalCents": &types.AttributeValueMemberN{Value: "100"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	otel := startCollector(t)
	fn := startFunction(t, "orders-worker",
		"ORDERS_TABLE="+ordersTable,
		"AWS_ENDPOINT_URL="+motoEndpoint(t),
		"OTEL_EXPORTER_OTLP_ENDPOINT="+otel.URL)

	raw := fn.invoke(t, events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord("m-1", `{"orderId":"o-1","customerId":"c-7","totalCents":1250}`),
		sqsRecord("m-bad", `{"orderId":`),
		sqsRecord("m-dup", `{"orderId":"o-dup","customerId":"second","totalCents":100}`),
		sqsRecord("m-invalid", `{"orderId":"o-3","customerId":"c-7","totalCents":-1}`),
	}})

	var resp events.SQSEventResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatalf("not an SQSEventResponse: %s", raw)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if len(failed) != 2 || failed[0] != "m-bad" || failed[1] != "m-invalid" {
		t.Errorf("batchItemFailures = %v, want [m-bad m-invalid] (raw %s)", failed, raw)
	}
	o1 := getOrder(t, db, "o-1")
	if n, _ := o1["totalCents"].(*types.AttributeValueMemberN); n == nil || n.Value != "1250" {
		t.Errorf("o-1 in the table = %v", o1)
	}
	if c, _ := getOrder(t, db, "o-dup")["customerId"].(*types.AttributeValueMemberS); c == nil || c.Value != "first" {
		t.Errorf("o-dup was overwritten: the first write must win")
	}
	if n := len(otel.spansNamed("DynamoDB.PutItem")); n != 2 {
		t.Errorf("%d DynamoDB.PutItem spans, want 2 (o-1 and o-dup)", n)
	}
	logged := map[string]bool{}
	for _, l := range fn.logLines() {
		if l["message"] == "message failed" && l["requestId"] != nil {
			logged[l["messageId"].(string)] = true
		}
	}
	if !logged["m-bad"] || !logged["m-invalid"] {
		t.Errorf("failed messages logged: %v, want m-bad and m-invalid with the request ID", logged)
	}
}
