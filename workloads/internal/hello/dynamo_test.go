package hello

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type fakeDynamo struct {
	out *dynamodb.GetItemOutput
	err error
	in  *dynamodb.GetItemInput
}

func (f *fakeDynamo) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.in = in
	return f.out, f.err
}

func TestDynamoItemsReadsByID(t *testing.T) {
	f := &fakeDynamo{out: &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{
		"id":   &types.AttributeValueMemberS{Value: "42"},
		"name": &types.AttributeValueMemberS{Value: "Ada"},
	}}}

	item, err := DynamoItems{Client: f, Table: "items"}.GetItem(context.Background(), "42")

	if err != nil {
		t.Fatal(err)
	}
	if item != (Item{ID: "42", Name: "Ada"}) {
		t.Errorf("item = %+v", item)
	}
	if got := *f.in.TableName; got != "items" {
		t.Errorf("table = %q", got)
	}
	if key, ok := f.in.Key["id"].(*types.AttributeValueMemberS); !ok || key.Value != "42" || len(f.in.Key) != 1 {
		t.Errorf("key = %#v", f.in.Key)
	}
}

func TestDynamoItemsNotFound(t *testing.T) {
	f := &fakeDynamo{out: &dynamodb.GetItemOutput{}}

	_, err := DynamoItems{Client: f, Table: "items"}.GetItem(context.Background(), "nope")

	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestDynamoItemsError(t *testing.T) {
	cause := &types.ResourceNotFoundException{Message: new("Requested resource not found")}
	f := &fakeDynamo{err: cause}

	_, err := DynamoItems{Client: f, Table: "items"}.GetItem(context.Background(), "42")

	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want the DynamoDB error and not ErrNotFound (a missing table is not a missing item)", err)
	}
}

func TestDynamoItemsWrongAttributeType(t *testing.T) {
	f := &fakeDynamo{out: &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{
		"name": &types.AttributeValueMemberN{Value: "7"},
	}}}

	if _, err := (DynamoItems{Client: f, Table: "items"}).GetItem(context.Background(), "42"); err == nil {
		t.Fatal("want an error for a non-string name")
	}
}
