package orders

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type fakePut struct {
	err error
	in  *dynamodb.PutItemInput
}

func (f *fakePut) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.in = in
	return &dynamodb.PutItemOutput{}, f.err
}

func TestDynamoOrdersWritesConditionally(t *testing.T) {
	f := &fakePut{}

	err := DynamoOrders{Client: f, Table: "orders"}.SaveOrder(context.Background(), Order{ID: "o-1", CustomerID: "c-1", TotalCents: 1250})

	if err != nil {
		t.Fatal(err)
	}
	if *f.in.TableName != "orders" || *f.in.ConditionExpression != "attribute_not_exists(orderId)" {
		t.Errorf("input = %+v", f.in)
	}
	if n, ok := f.in.Item["totalCents"].(*types.AttributeValueMemberN); !ok || n.Value != "1250" {
		t.Errorf("totalCents = %#v", f.in.Item["totalCents"])
	}
}

func TestDynamoOrdersDuplicateIsSuccess(t *testing.T) {
	f := &fakePut{err: &types.ConditionalCheckFailedException{Message: new("The conditional request failed")}}

	if err := (DynamoOrders{Client: f, Table: "orders"}).SaveOrder(context.Background(), Order{ID: "o-1"}); err != nil {
		t.Fatalf("err = %v, want nil for a redelivered order", err)
	}
}

func TestDynamoOrdersErrorIsReturned(t *testing.T) {
	cause := errors.New("throttled")
	f := &fakePut{err: cause}

	if err := (DynamoOrders{Client: f, Table: "orders"}).SaveOrder(context.Background(), Order{ID: "o-1"}); !errors.Is(err, cause) {
		t.Fatalf("err = %v", err)
	}
}
