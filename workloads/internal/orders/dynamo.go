package orders

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoPutItemAPI is the one DynamoDB operation DynamoOrders needs (*dynamodb.Client has it).
type DynamoPutItemAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// DynamoOrders writes orders to a table keyed by the string attribute "orderId".
type DynamoOrders struct {
	Client DynamoPutItemAPI
	Table  string
}

// SaveOrder writes the order unless one with its id exists. The condition makes a redelivered
// message a no-op instead of an overwrite: the first write wins.
func (d DynamoOrders) SaveOrder(ctx context.Context, o Order) error {
	_, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.Table),
		Item: map[string]types.AttributeValue{
			"orderId":    &types.AttributeValueMemberS{Value: o.ID},
			"customerId": &types.AttributeValueMemberS{Value: o.CustomerID},
			"totalCents": &types.AttributeValueMemberN{Value: strconv.FormatInt(o.TotalCents, 10)},
		},
		ConditionExpression: aws.String("attribute_not_exists(orderId)"),
	})
	var exists *types.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return nil
	}
	return err
}
