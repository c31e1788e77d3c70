// Package orders consumes the orders queue: each SQS message is one order, saved to the
// orders table. Failed messages are reported back to Lambda one by one, so only they are
// retried and, after the queue's maxReceiveCount, moved to its dead-letter queue.
package orders

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Order is the message body the producers send.
type Order struct {
	ID         string `json:"orderId"`
	CustomerID string `json:"customerId"`
	TotalCents int64  `json:"totalCents"`
}

// maxIDLength keeps ids inside DynamoDB's key limits and log lines readable.
const maxIDLength = 64

// ErrMalformed marks a message that can never be processed, however often it is retried.
var ErrMalformed = errors.New("malformed order")

// ParseOrder decodes and validates a message body. Unknown fields are accepted, so producers
// can add fields before this worker reads them; trailing data is not.
func ParseOrder(body string) (Order, error) {
	var o Order
	dec := json.NewDecoder(strings.NewReader(body))
	if err := dec.Decode(&o); err != nil {
		return Order{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Order{}, fmt.Errorf("%w: trailing data after the JSON object", ErrMalformed)
	}
	if err := o.validate(); err != nil {
		return Order{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return o, nil
}

func (o Order) validate() error {
	if err := checkID("orderId", o.ID); err != nil {
		return err
	}
	if err := checkID("customerId", o.CustomerID); err != nil {
		return err
	}
	if o.TotalCents < 0 {
		return fmt.Errorf("totalCents is negative (%d)", o.TotalCents)
	}
	return nil
}

func checkID(field, v string) error {
	if v == "" {
		return fmt.Errorf("%s is missing", field)
	}
	if len(v) > maxIDLength {
		return fmt.Errorf("%s is longer than %d characters", field, maxIDLength)
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%s may contain only letters, digits, '-' and '_'", field)
		}
	}
	return nil
}
