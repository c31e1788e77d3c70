package hello

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoGetItemAPI is the one DynamoDB operation DynamoItems needs (*dynamodb.Client has it).
type DynamoGetItemAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// DynamoItems reads items from a table keyed by the string attribute "id".
type DynamoItems struct {
	Client DynamoGetItemAPI
	Table  string
}

// GetItem does an eventually consistent read of the two attributes the API returns.
func (d DynamoItems) GetItem(ctx context.Context, id string) (Item, error) {
	out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(d.Table),
		Key:                      map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
		ProjectionExpression:     aws.String("#id, #name"),
		ExpressionAttributeNames: map[string]string{"#id": "id", "#name": "name"}, // "name" is a reserved word
	})
	if err != nil {
		return Item{}, err
	}
	if out.Item == nil {
		return Item{}, ErrNotFound
	}
	item := Item{ID: id}
	switch v := out.Item["name"].(type) {
	case nil:
	case *types.AttributeValueMemberS:
		item.Name = v.Value
	default:
		return Item{}, fmt.Errorf("item %q: attribute name is %T, want a string", id, v)
	}
	return item, nil
}
