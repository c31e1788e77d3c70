// Package events is a stand-in for aws-lambda-go's: the types the analyzer's tests use.
package events

type APIGatewayV2HTTPRequest struct {
	RawPath string
	Headers map[string]string
	Body    string
}

type APIGatewayV2HTTPResponse struct {
	StatusCode int
	Body       string
}

type SQSEvent struct {
	Records []SQSMessage
}

type SQSMessage struct {
	MessageId string
	Body      string
}

type SQSEventResponse struct {
	BatchItemFailures []SQSBatchItemFailure
}

type SQSBatchItemFailure struct {
	ItemIdentifier string
}

type SNSEvent struct {
	Records []SNSEventRecord
}

type SNSEventRecord struct {
	SNS SNSEntity
}

type SNSEntity struct {
	MessageID string
	Message   string
}
